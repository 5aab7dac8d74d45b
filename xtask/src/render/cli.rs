//! `crates/dbss-cli/src/generated/api.rs`: the table of the spec's operations (names, method,
//! path, summary, deprecation, body template), one `dbss api <operation>` subcommand per row
//! with one flag per parameter, and the dispatch of a row onto `dbss::Ops`.

use proc_macro2::TokenStream;
use quote::quote;

use super::{doc_text, ops::ident};
use crate::spec::{Operation, Param, ParamType, ResponseKind};

pub fn render(ops: &[Operation]) -> TokenStream {
    let entries = ops.iter().map(table_entry);
    let commands = ops.iter().enumerate().map(|(index, op)| command(index, op));
    let arms = ops.iter().map(dispatch_arm);
    let count = ops.len();
    quote! {
        use clap::{Arg, ArgMatches, Command};

        use crate::api_support::{ApiOperation, ApiOutput, body_arg, finish_binary, finish_json, one_of, parse_body};
        use crate::error::CliError;

        /// Every operation of the spec: the one table behind dispatch, `dbss api list`,
        /// deprecation warnings and body templates.
        pub static OPERATIONS: [ApiOperation; #count] = [#(#entries),*];

        /// The `dbss api` subcommands, one per entry of [`OPERATIONS`], in the same order.
        pub fn commands() -> Vec<Command> {
            vec![#(#commands),*]
        }

        /// Runs `operation` with the flags in `matches`.
        pub async fn dispatch(client: &dbss::Client, operation: &ApiOperation, matches: &ArgMatches) -> Result<ApiOutput, CliError> {
            match operation.name {
                #(#arms)*
                other => Err(CliError::UnknownOperation(other.to_owned())),
            }
        }
    }
}

/// The operation's row of the table.
fn table_entry(op: &Operation) -> TokenStream {
    let name = &op.kebab;
    let id = &op.id;
    let summary = &op.summary;
    let method = &op.method;
    let path = &op.path;
    let deprecated = op.deprecated;
    let replaced_by = match &op.replaced_by {
        Some(next) => {
            let next = heck::AsKebabCase(next).to_string();
            quote!(Some(#next))
        }
        None => quote!(None),
    };
    let template = op
        .body
        .as_ref()
        .and_then(|b| b.example.as_ref())
        .map(|e| serde_json::to_string_pretty(e).unwrap_or_default());
    let template = match template {
        Some(text) => quote!(Some(#text)),
        None => quote!(None),
    };
    quote! {
        ApiOperation {
            name: #name,
            id: #id,
            summary: #summary,
            method: #method,
            path: #path,
            deprecated: #deprecated,
            replaced_by: #replaced_by,
            body_template: #template,
        }
    }
}

/// The subcommand of the operation at `index` of the table: what the table does not hold
/// (the long help and the flags) on top of what it does.
fn command(index: usize, op: &Operation) -> TokenStream {
    let mut long_about = doc_text(&op.summary, &op.description);
    long_about.push_str(&format!("\n\n{} {}  (operation {})", op.method, op.path, op.id));
    if op.deprecated {
        long_about.push_str(&match &op.replaced_by {
            Some(r) => format!(
                "\n\nDeprecated: the service is retiring this operation; use `dbss api {}`.",
                heck::AsKebabCase(r)
            ),
            None => "\n\nDeprecated: the service is retiring this operation.".to_owned(),
        });
    }
    let args = op.params.iter().filter(|p| !p.is_from_config()).map(arg);
    let body = op.body.as_ref().map(|_| quote!(.arg(body_arg())));
    quote! {
        OPERATIONS[#index].command().long_about(#long_about) #(.arg(#args))* #body
    }
}

fn arg(p: &Param) -> TokenStream {
    let id = &p.name;
    let long = p.kebab();
    let help = format!(
        "{} ({} parameter{})",
        p.description.trim(),
        p.location,
        if p.required { ", required" } else { "" }
    );
    // `--body-template` prints the template without calling, so it needs no other flag.
    let required = if p.required {
        quote!(.required_unless_present("body-template"))
    } else {
        quote!()
    };
    let range = match (p.minimum, p.maximum) {
        (Some(min), Some(max)) => quote!(.range(#min..=#max)),
        (Some(min), None) => quote!(.range(#min..)),
        (None, Some(max)) => quote!(.range(..=#max)),
        (None, None) => quote!(),
    };
    let typed = match p.ty {
        ParamType::I32 => quote!(.value_parser(clap::value_parser!(i32)#range)),
        ParamType::I64 => quote!(.value_parser(clap::value_parser!(i64)#range)),
        ParamType::F64 => quote!(.value_parser(clap::value_parser!(f64))),
        ParamType::Bool => quote!(.value_parser(clap::value_parser!(bool))),
        ParamType::StringList => quote!(.action(clap::ArgAction::Append)),
        ParamType::String => quote!(),
    };
    let parser = match (p.ty, p.enum_values.is_empty()) {
        // Integer enums are parsed as integers and checked by the generated type;
        // booleans need no list of values.
        (ParamType::String, false) => {
            let values = &p.enum_values;
            quote!(.value_parser(one_of(&[#(#values),*])).ignore_case(true))
        }
        _ => typed,
    };
    let help = if p.enum_values.is_empty() || p.ty == ParamType::String {
        help
    } else {
        format!("{help}; one of {}", p.enum_values.join(", "))
    };
    quote! {
        Arg::new(#id).long(#long).help(#help) #required #parser
    }
}

fn dispatch_arm(op: &Operation) -> TokenStream {
    let name = &op.kebab;
    let method = ident(&op.snake);
    let sets = op.params.iter().filter(|p| !p.is_from_config()).map(|p| {
        let id = &p.name;
        let setter = ident(&p.snake());
        let rust_ty = match p.ty {
            ParamType::I32 => quote!(i32),
            ParamType::I64 => quote!(i64),
            ParamType::F64 => quote!(f64),
            ParamType::Bool => quote!(bool),
            ParamType::String | ParamType::StringList => quote!(String),
        };
        if p.ty == ParamType::StringList {
            quote! {
                if let Some(values) = matches.get_many::<String>(#id) {
                    call = call.#setter(values.cloned().collect::<Vec<String>>());
                }
            }
        } else {
            quote! {
                if let Some(value) = matches.get_one::<#rust_ty>(#id) {
                    call = call.#setter(value.clone());
                }
            }
        }
    });
    let body = op.body.as_ref().map(|b| {
        let ty = ident(&b.type_name);
        quote!(call = call.body(parse_body::<dbss_api::types::#ty>(matches)?);)
    });
    let finish = match op.success.kind {
        ResponseKind::Binary => quote!(finish_binary(call).await),
        _ => quote!(finish_json(call).await),
    };
    // Each arm is boxed, so the dispatch future stays small whatever the number of operations.
    quote! {
        #name => Box::pin(async move {
            #[allow(deprecated, unused_mut)]
            let mut call = client.ops().#method();
            #(#sets)*
            #body
            #finish
        }).await,
    }
}
