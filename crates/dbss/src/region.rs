//! Regions where DBSS is offered, and their endpoints.

use crate::settings_file::Unreadable;

/// A DBSS region: its id and the endpoint of the service there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    /// Region id, such as `cn-north-4`.
    pub id: &'static str,
    /// `https://` endpoint of DBSS in that region.
    pub endpoint: &'static str,
}

macro_rules! regions {
    ($($id:literal => $host:literal),* $(,)?) => {
        /// Every region the official SDKs know, plus Huawei Cloud Europe's `eu-west-101`.
        pub const REGIONS: &[Region] = &[$(Region { id: $id, endpoint: concat!("https://", $host) }),*];
    };
}

regions! {
    "af-north-1" => "dbss.af-north-1.myhuaweicloud.com",
    "af-south-1" => "dbss.af-south-1.myhuaweicloud.com",
    "ap-southeast-1" => "dbss.ap-southeast-1.myhuaweicloud.com",
    "ap-southeast-2" => "dbss.ap-southeast-2.myhuaweicloud.com",
    "ap-southeast-3" => "dbss.ap-southeast-3.myhuaweicloud.com",
    "ap-southeast-4" => "dbss.ap-southeast-4.myhuaweicloud.com",
    "ap-southeast-5" => "dbss.ap-southeast-5.myhuaweicloud.com",
    "cn-east-2" => "dbss.cn-east-2.myhuaweicloud.com",
    "cn-east-3" => "dbss.cn-east-3.myhuaweicloud.com",
    "cn-east-4" => "dbss.cn-east-4.myhuaweicloud.com",
    "cn-east-5" => "dbss.cn-east-5.myhuaweicloud.com",
    "cn-north-1" => "dbss.cn-north-1.myhuaweicloud.com",
    "cn-north-2" => "dbss.cn-north-2.myhuaweicloud.com",
    "cn-north-4" => "dbss.cn-north-4.myhuaweicloud.com",
    "cn-north-9" => "dbss.cn-north-9.myhuaweicloud.com",
    "cn-north-11" => "dbss.cn-north-11.myhuaweicloud.com",
    "cn-north-12" => "dbss.cn-north-12.myhuaweicloud.com",
    "cn-south-1" => "dbss.cn-south-1.myhuaweicloud.com",
    "cn-south-2" => "dbss.cn-south-2.myhuaweicloud.com",
    "cn-south-4" => "dbss.cn-south-4.myhuaweicloud.com",
    "cn-southwest-2" => "dbss.cn-southwest-2.myhuaweicloud.com",
    "cn-southwest-3" => "dbss.cn-southwest-3.myhuaweicloud.com",
    "la-north-2" => "dbss.la-north-2.myhuaweicloud.com",
    "la-south-2" => "dbss.la-south-2.myhuaweicloud.com",
    "me-east-1" => "dbss.me-east-1.myhuaweicloud.com",
    "my-kualalumpur-1" => "dbss.my-kualalumpur-1.myhuaweicloud.com",
    "ru-moscow-1" => "dbss.ru-moscow-1.myhuaweicloud.com",
    "ru-northwest-2" => "dbss.ru-northwest-2.myhuaweicloud.com",
    "sa-brazil-1" => "dbss.sa-brazil-1.myhuaweicloud.com",
    "tr-west-1" => "dbss.tr-west-1.myhuaweicloud.com",
    // Huawei Cloud Europe is a separate site (the seed page's edition), on its own domain.
    "eu-west-101" => "dbss.eu-west-101.myhuaweicloud.eu",
}

impl Region {
    /// Looks a region up by id.
    ///
    /// ```
    /// let region = dbss::Region::find("cn-north-4").expect("a known region");
    /// assert_eq!(region.endpoint, "https://dbss.cn-north-4.myhuaweicloud.com");
    /// ```
    pub fn find(id: &str) -> Option<Region> {
        REGIONS.iter().copied().find(|r| r.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_region_has_an_https_endpoint_named_after_it() {
        assert_eq!(REGIONS.len(), 31);
        for region in REGIONS {
            assert!(
                region
                    .endpoint
                    .starts_with(&format!("https://dbss.{}.myhuaweicloud.", region.id)),
                "{region:?}"
            );
        }
        assert_eq!(
            Region::find("eu-west-101").map(|r| r.endpoint),
            Some("https://dbss.eu-west-101.myhuaweicloud.eu")
        );
        assert_eq!(Region::find("mars-1"), None);
    }
}

/// IAM's endpoint in a region (the Europe site has its own domain).
pub(crate) fn iam_endpoint(region: &str) -> String {
    match Region::find(region) {
        Some(r) if r.endpoint.ends_with(".eu") => format!("https://iam.{region}.myhuaweicloud.eu"),
        _ => format!("https://iam.{region}.myhuaweicloud.com"),
    }
}

/// The largest regions file read: a list of a few hundred endpoints.
const REGIONS_FILE_MAX_BYTES: u64 = 1024 * 1024;

/// The regions file (`$HUAWEICLOUD_SDK_REGIONS_FILE`, else `~/.huaweicloud/regions.yaml`), in
/// the official SDKs' format:
///
/// ```yaml
/// dbss:
///   - id: eu-west-101
///     endpoint: https://dbss.eu-west-101.myhuaweicloud.eu
/// ```
///
/// The service key is matched case-insensitively; `endpoints: [..]` may replace `endpoint`
/// (the first is used). `Ok(None)` when there is no file or no entry for the region.
pub(crate) fn from_regions_file(var: &dyn Fn(&str) -> Option<String>, region: &str) -> Result<Option<String>, String> {
    let path = match var(crate::env::REGIONS_FILE) {
        Some(path) => std::path::PathBuf::from(path),
        None => match var("HOME").or_else(|| var("USERPROFILE")) {
            Some(home) => std::path::Path::new(&home).join(".huaweicloud").join("regions.yaml"),
            None => return Ok(None),
        },
    };
    // A missing or unreadable file is no file (as before); a FIFO, a device or a huge file is
    // refused rather than waited on or read without end.
    let text = match crate::settings_file::read(&path, REGIONS_FILE_MAX_BYTES) {
        Ok(text) => text,
        Err(Unreadable::Refused(why)) => return Err(format!("regions file: {why}")),
        Err(Unreadable::Missing | Unreadable::Failed(_)) => return Ok(None),
    };

    #[derive(serde::Deserialize)]
    struct Entry {
        id: String,
        endpoint: Option<String>,
        #[serde(default)]
        endpoints: Vec<String>,
    }
    let services: std::collections::HashMap<String, Vec<Entry>> =
        serde_yaml::from_str(&text).map_err(|e| format!("regions file {} is not valid: {e}", path.display()))?;
    let entry = services
        .into_iter()
        .filter(|(service, _)| service.eq_ignore_ascii_case("dbss"))
        .flat_map(|(_, entries)| entries)
        .find(|entry| entry.id == region);
    Ok(entry.and_then(|e| e.endpoint.or_else(|| e.endpoints.into_iter().next())))
}

#[cfg(test)]
mod file_tests {
    use super::*;

    #[test]
    fn regions_file_entries_are_found_by_service_and_id() {
        let dir = std::env::temp_dir().join(format!("dbss-regions-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let file = dir.join("regions.yaml");
        let _ = std::fs::write(
            &file,
            "DBSS:\n  - id: xx-test-1\n    endpoints: [https://one.example, https://two.example]\nECS:\n  - id: xx-test-2\n    endpoint: https://ecs.example\n",
        );
        let path = file.display().to_string();
        let var = move |name: &str| (name == crate::env::REGIONS_FILE).then(|| path.clone());
        assert_eq!(
            from_regions_file(&var, "xx-test-1"),
            Ok(Some("https://one.example".to_owned()))
        );
        assert_eq!(
            from_regions_file(&var, "xx-test-2"),
            Ok(None),
            "another service's entry"
        );
        let _ = std::fs::write(&file, "dbss: [not, a, list, of, entries");
        assert!(from_regions_file(&var, "xx-test-1").is_err());
        // A device named by the variable is refused at once, not read without end.
        let zero = |name: &str| (name == crate::env::REGIONS_FILE).then(|| "/dev/zero".to_owned());
        let refused = from_regions_file(&zero, "xx-test-1").err().unwrap_or_default();
        assert!(refused.contains("not a regular file"), "{refused}");
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(iam_endpoint("eu-west-101"), "https://iam.eu-west-101.myhuaweicloud.eu");
        assert_eq!(iam_endpoint("cn-north-4"), "https://iam.cn-north-4.myhuaweicloud.com");
    }
}
