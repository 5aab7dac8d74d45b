//! `X-Sdk-Date` read and written exactly as the official Python signer does it.
//!
//! A caller may set `X-Sdk-Date` itself. The official signer parses it with CPython 3.11's
//! `datetime.strptime(value, "%Y%m%dT%H%M%SZ")` and puts `strftime` of the result, with the same
//! format, in the string to sign. Both are laxer and odder than a plain `YYYYMMDDTHHMMSSZ`
//! reading, and a signature is only byte-identical if we agree on every input:
//!
//! * `strptime` turns the format into a regular expression, matched case-insensitively and
//!   from the start of the value, whose fields may be shorter than their width (`2024115T…`),
//!   whose `\d` is any Unicode decimal digit, and whose alternatives are tried in order with
//!   backtracking; the first match must then end exactly at the end of the value;
//! * the date must then exist (no 30 February, no year 0, no second 60 or 61);
//! * `strftime` on Linux writes the year without leading zeros (year 415 gives `415…`).

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};

/// One position of a field's alternative.
#[derive(Clone, Copy)]
enum Class {
    /// This ASCII letter in either case (the only characters CPython's case-insensitive
    /// matching pairs with `T` and `Z` are their two cases).
    Letter(u8),
    /// An ASCII digit in this inclusive range (a bracketed range is not widened to other
    /// scripts' digits).
    Ascii(u8, u8),
    /// `\d`: any Unicode decimal digit.
    Decimal,
    /// A literal space (day of month `" [1-9]"`).
    Space,
}

use Class::{Ascii, Decimal, Letter, Space};

/// A field of the format: its alternatives, in the order the regular expression tries them.
type Field = &'static [&'static [Class]];

const YEAR: Field = &[&[Decimal, Decimal, Decimal, Decimal]];
const MONTH: Field = &[
    &[Ascii(b'1', b'1'), Ascii(b'0', b'2')],
    &[Ascii(b'0', b'0'), Ascii(b'1', b'9')],
    &[Ascii(b'1', b'9')],
];
const DAY: Field = &[
    &[Ascii(b'3', b'3'), Ascii(b'0', b'1')],
    &[Ascii(b'1', b'2'), Decimal],
    &[Ascii(b'0', b'0'), Ascii(b'1', b'9')],
    &[Ascii(b'1', b'9')],
    &[Space, Ascii(b'1', b'9')],
];
const HOUR: Field = &[
    &[Ascii(b'2', b'2'), Ascii(b'0', b'3')],
    &[Ascii(b'0', b'1'), Decimal],
    &[Decimal],
];
const MINUTE: Field = &[&[Ascii(b'0', b'5'), Decimal], &[Decimal]];
const SECOND: Field = &[
    &[Ascii(b'6', b'6'), Ascii(b'0', b'1')],
    &[Ascii(b'0', b'5'), Decimal],
    &[Decimal],
];
const T: Field = &[&[Letter(b'T')]];
const Z: Field = &[&[Letter(b'Z')]];

/// `%Y%m%dT%H%M%SZ`, field by field.
const FORMAT: [Field; 8] = [YEAR, MONTH, DAY, T, HOUR, MINUTE, SECOND, Z];

/// The first code point of every run of ten Unicode decimal digits (0 to 9), as CPython 3.11
/// knows them (Unicode 14.0). Every such run is contiguous and ascending, so a digit's value is
/// its distance from the start of its run.
const DIGIT_ZEROS: [u32; 66] = [
    0x30, 0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xDE6, 0xE50, 0xED0,
    0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620,
    0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10, 0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0,
    0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60,
    0x16AC0, 0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
];

/// The value of a Unicode decimal digit, as Python's `int()` reads it.
fn decimal_value(c: char) -> Option<u32> {
    let code = u32::from(c);
    let run = DIGIT_ZEROS.partition_point(|zero| *zero <= code).checked_sub(1)?;
    let value = code - DIGIT_ZEROS[run];
    (value < 10).then_some(value)
}

/// Whether `c` is in `class`, and the digit it adds to the field's number if it is one.
fn accept(class: Class, c: char) -> Option<Option<u32>> {
    match class {
        Letter(letter) => c.is_ascii() && (c as u8).eq_ignore_ascii_case(&letter),
        Ascii(low, high) => c.is_ascii() && (low..=high).contains(&(c as u8)),
        Decimal => return decimal_value(c).map(Some),
        Space => c == ' ',
    }
    .then(|| c.to_digit(10))
}

/// The number an alternative reads at the start of `chars`, if it matches there.
fn read(alternative: &[Class], chars: &[char]) -> Option<u32> {
    let mut number = 0u32;
    for (class, c) in alternative.iter().zip(chars) {
        if let Some(digit) = accept(*class, *c)? {
            number = number * 10 + digit;
        }
    }
    (chars.len() >= alternative.len()).then_some(number)
}

/// Matches `fields` from `at` the way a backtracking regular expression does: the first
/// combination of alternatives, in priority order, that matches them all. Returns where that
/// match ends, with each field's number in `numbers`.
fn match_fields(fields: &[Field], chars: &[char], at: usize, numbers: &mut [u32]) -> Option<usize> {
    let Some((field, rest)) = fields.split_first() else {
        return Some(at);
    };
    for alternative in *field {
        if let Some(number) = read(alternative, &chars[at..]) {
            numbers[0] = number;
            if let Some(end) = match_fields(rest, chars, at + alternative.len(), &mut numbers[1..]) {
                return Some(end);
            }
        }
    }
    None
}

/// `datetime.strptime(value, "%Y%m%dT%H%M%SZ")`, as a UTC time; `None` where Python raises.
pub fn parse(value: &str) -> Option<DateTime<Utc>> {
    let chars: Vec<char> = value.chars().collect();
    let mut n = [0u32; FORMAT.len()];
    // Unlike a full match, the first match found must itself end at the end of the value
    // ("unconverted data remains" otherwise), even if a later alternative would have.
    if match_fields(&FORMAT, &chars, 0, &mut n)? != chars.len() {
        return None;
    }
    let [year, month, day, _, hour, minute, second, _] = n;
    let year = i32::try_from(year).ok().filter(|y| *y >= 1)?;
    let time = NaiveDate::from_ymd_opt(year, month, day)?.and_hms_opt(hour, minute, second)?;
    Some(time.and_utc())
}

/// `strftime(time, "%Y%m%dT%H%M%SZ")` with glibc: every field zero-padded but the year.
pub fn format(time: DateTime<Utc>) -> String {
    // Written digit by digit: this runs for every request signed, and `format!` costs more
    // than the rest of the date handling.
    let mut text = String::with_capacity(16);
    match u32::try_from(time.year()) {
        Ok(year @ 1000..=9999) => push_digits(&mut text, year, 4),
        _ => text.push_str(&time.year().to_string()),
    }
    push_digits(&mut text, time.month(), 2);
    push_digits(&mut text, time.day(), 2);
    text.push('T');
    push_digits(&mut text, time.hour(), 2);
    push_digits(&mut text, time.minute(), 2);
    push_digits(&mut text, time.second(), 2);
    text.push('Z');
    text
}

/// The last `width` decimal digits of `number`, zero-padded.
fn push_digits(text: &mut String, number: u32, width: u32) {
    for place in (0..width).rev() {
        let digit = number / 10u32.pow(place) % 10;
        text.push(char::from(b'0' + digit as u8));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(value: &str) -> Option<String> {
        parse(value).map(format)
    }

    #[test]
    fn plain_dates_are_read_and_written_back_unchanged() {
        assert_eq!(round_trip("20240101T000000Z").as_deref(), Some("20240101T000000Z"));
        assert_eq!(round_trip("99991231T235959Z").as_deref(), Some("99991231T235959Z"));
        assert_eq!(round_trip("10000101T090807Z").as_deref(), Some("10000101T090807Z"));
    }

    /// Each answer below is what CPython 3.11.7 gives for the same value.
    #[test]
    fn odd_values_get_the_answers_python_gives() {
        let cases: &[(&str, Option<&str>)] = &[
            ("04150708T000000Z", Some("4150708T000000Z")),
            ("00010101T000000Z", Some("10101T000000Z")),
            ("00000101T000000Z", None),
            ("2024115T1212Z", Some("20241105T120102Z")),
            ("2024111T111Zx", None),
            ("20240229t235959z", Some("20240229T235959Z")),
            ("20230229T000000Z", None),
            ("20240101T000060Z", None),
            ("2024011 5T000000Z", None),
            ("202401 5T000000Z", Some("20240105T000000Z")),
            ("٢٠٢٤0101T000000Z", Some("20240101T000000Z")),
            ("20240101T1٩0000Z", Some("20240101T190000Z")),
            (" 20240101T000000Z", None),
            ("20240101T000000Z ", None),
            ("", None),
        ];
        for (value, python) in cases {
            assert_eq!(round_trip(value).as_deref(), *python, "{value:?}");
        }
    }

    #[test]
    fn every_digit_run_reads_zero_to_nine() {
        for zero in DIGIT_ZEROS {
            for digit in 0..10 {
                let c = char::from_u32(zero + digit).unwrap_or_default();
                assert_eq!(decimal_value(c), Some(digit), "U+{:04X}", zero + digit);
            }
        }
        assert_eq!(decimal_value('a'), None);
        assert_eq!(decimal_value('\u{65F}'), None);
    }
}
