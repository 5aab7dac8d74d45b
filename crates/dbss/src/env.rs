//! Environment variables read, named as the official SDKs name them.
//!
//! The values of the credential variables (AK, SK, security token), the project id and the IAM
//! endpoint are trimmed, as are those of the profile file: whitespace around a key (a pasted
//! newline) would otherwise sign every request wrongly. A value of nothing but whitespace
//! counts as unset; half a key pair is an error naming the missing variable.

/// Access key.
pub const AK: &str = "HUAWEICLOUD_SDK_AK";
/// Secret key.
pub const SK: &str = "HUAWEICLOUD_SDK_SK";
/// Security token of temporary keys.
pub const SECURITY_TOKEN: &str = "HUAWEICLOUD_SDK_SECURITY_TOKEN";
/// Project id.
pub const PROJECT_ID: &str = "HUAWEICLOUD_SDK_PROJECT_ID";
/// Account (domain) id, for the few operations whose path holds it.
pub const DOMAIN_ID: &str = "HUAWEICLOUD_SDK_DOMAIN_ID";
/// IAM endpoint used for token exchange and project lookup.
pub const IAM_ENDPOINT: &str = "HUAWEICLOUD_SDK_IAM_ENDPOINT";
/// Path of the profile (credentials) file; default `~/.huaweicloud/credentials`.
pub const CREDENTIALS_FILE: &str = "HUAWEICLOUD_SDK_CREDENTIALS_FILE";
/// Path of the regions file; default `~/.huaweicloud/regions.yaml`.
pub const REGIONS_FILE: &str = "HUAWEICLOUD_SDK_REGIONS_FILE";
/// Prefix of the per-region endpoint override, followed by the upper-cased region id with
/// `-` replaced by `_` (`HUAWEICLOUD_SDK_REGION_DBSS_CN_NORTH_4`); comma-separated, first wins.
pub const REGION_OVERRIDE_PREFIX: &str = "HUAWEICLOUD_SDK_REGION_DBSS_";
