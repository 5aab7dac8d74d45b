//! Which route an input addresses, and its path: the route's template with real ids of the
//! seeded state (so that requests reach the operations, not only the router's 404) or the
//! input's own values, or a path entirely the input's.

use std::sync::OnceLock;

use dbss_sim::{
    State, defaults,
    spec::{Location, Operation, Spec},
};
use http::Method;
use percent_encoding::{AsciiSet, CONTROLS, NON_ALPHANUMERIC, percent_encode};
use serde_json::{Value, json};
use url::form_urlencoded;

/// Bytes a path parameter value is sent with as they are: RFC 3986's unreserved set.
const PARAMETER: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
/// Bytes that cannot appear in a request target as they are. Everything else of the input's
/// own path and query is sent untouched, `%` included, so that bad escapes reach the simulator.
pub const NOT_IN_TARGET: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');
/// And in a path, `?` starts the query.
const NOT_IN_PATH: &AsciiSet = &NOT_IN_TARGET.add(b'?');

/// The IAM routes the simulator serves besides the spec's.
const IAM: [(Method, &str); 2] = [(Method::POST, "/v3/auth/tokens"), (Method::GET, "/v3/projects")];
/// The token request's index in [`IAM`].
const TOKEN_REQUEST: usize = 0;
/// The IAM user whose password the fuzzed simulator accepts: name, password, account.
pub const IAM_USER: [&str; 3] = ["fuzz-user", "fuzz-password", "fuzz-account"];

/// A route of the simulator.
#[derive(Clone, Copy, Debug)]
pub enum Route<'s> {
    /// An operation of the spec.
    Api(&'s Operation),
    /// An IAM route: its index in [`IAM`].
    Iam(usize),
}

impl<'s> Route<'s> {
    /// Route number `n`, modulo the number of routes.
    pub fn nth(spec: &'s Spec, n: u16) -> Route<'s> {
        let operations = spec.operations();
        let n = usize::from(n) % (operations.len() + IAM.len());
        match operations.get(n) {
            Some(op) => Route::Api(op),
            None => Route::Iam(n - operations.len()),
        }
    }

    /// Its method.
    pub fn method(self) -> Method {
        match self {
            Route::Api(op) => op.method.clone(),
            Route::Iam(i) => IAM[i % IAM.len()].0.clone(),
        }
    }

    /// The body of the route's example request: the spec's example, or for IAM's token
    /// request a password the simulator accepts.
    pub fn example_body(self) -> Vec<u8> {
        let example = match self {
            Route::Api(op) => op.body.as_ref().and_then(|b| b.example.clone()),
            Route::Iam(TOKEN_REQUEST) => Some(token_request()),
            Route::Iam(_) => None,
        };
        example.map(|e| e.to_string().into_bytes()).unwrap_or_default()
    }

    /// The spec's example query parameters of the route, form-encoded.
    pub fn example_query(self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if let Route::Api(op) = self {
            for param in op.params.iter().filter(|p| p.location == Location::Query) {
                match &param.example {
                    Some(Value::String(text)) => query.append_pair(&param.name, text),
                    Some(other) => query.append_pair(&param.name, &other.to_string()),
                    None => continue,
                };
            }
        }
        query.finish()
    }

    fn template(self) -> &'s str {
        match self {
            Route::Api(op) => &op.path,
            Route::Iam(i) => IAM[i % IAM.len()].1,
        }
    }

    /// The path to send: `given` itself when it starts with `/`, else the template with the
    /// comma-separated values of `given` in order, each missing or empty one a real id picked
    /// by `resource`.
    pub fn path(self, given: &[u8], resource: u8) -> String {
        if given.starts_with(b"/") {
            return percent_encode(given, NOT_IN_PATH).to_string();
        }
        let mut values = given.split(|b| *b == b',').filter(|_| !given.is_empty());
        self.template()
            .split('/')
            .map(
                |segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => match values.next().filter(|v| !v.is_empty()) {
                        Some(value) => percent_encode(value, PARAMETER).to_string(),
                        None => self.real_value(name, resource),
                    },
                    None => segment.to_owned(),
                },
            )
            .collect::<Vec<_>>()
            .join("/")
    }

    /// An id of the seeded state for a path parameter, or the spec's example of it.
    fn real_value(self, name: &str, resource: u8) -> String {
        let seeded = Seeded::get();
        let instance = pick(&seeded.instances, usize::from(resource));
        let child = |pool: fn(&Children) -> &Vec<String>| {
            let children = instance.map(|(_, children)| pool(children));
            let nth = usize::from(resource) / seeded.instances.len().max(1);
            children.and_then(|c| pick(c, nth)).cloned()
        };
        let value = match name {
            "project_id" => Some(defaults::PROJECT_ID.to_owned()),
            "instance_id" | "resource_id" => instance.map(|(id, _)| id.clone()),
            "db_id" => child(|c| &c.databases),
            "agent_id" => child(|c| &c.agents),
            // `{id}` is a database, a rule, a whitelist or a report, as the route says.
            "id" | "risk_id" | "rule_id" => child(|c| &c.any),
            _ => None,
        };
        value.unwrap_or_else(|| self.example(name))
    }

    fn example(self, name: &str) -> String {
        let example = match self {
            Route::Api(op) => op.param(Location::Path, name).and_then(|p| p.example.as_ref()),
            Route::Iam(_) => None,
        };
        match example {
            Some(Value::String(text)) => text.clone(),
            Some(other) => other.to_string(),
            None => "x".to_owned(),
        }
    }
}

/// A password token request for [`IAM_USER`], scoped to the simulator's project.
fn token_request() -> Value {
    let [name, password, account] = IAM_USER;
    json!({"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": name, "password": password, "domain": {"name": account},
        }}},
        "scope": {"project": {"id": defaults::PROJECT_ID}},
    }})
}

fn pick<T>(items: &[T], n: usize) -> Option<&T> {
    items.get(n % items.len().max(1))
}

/// Ids of one instance's children.
#[derive(Debug, Default)]
struct Children {
    databases: Vec<String>,
    agents: Vec<String>,
    /// Databases, rules of every kind, whitelists and reports.
    any: Vec<String>,
}

/// Ids of the seeded state (the same in every `State::seeded()`: its ids come from a counter).
#[derive(Debug)]
struct Seeded {
    /// Audit, encryption and O&M instances, with their children.
    instances: Vec<(String, Children)>,
}

impl Seeded {
    fn get() -> &'static Seeded {
        static SEEDED: OnceLock<Seeded> = OnceLock::new();
        SEEDED.get_or_init(|| {
            let state = State::seeded();
            let audit = state.list(0, usize::MAX).0.into_iter().map(|instance| {
                let id = instance.id;
                let databases: Vec<String> = state.databases(&id).into_iter().map(|d| d.id).collect();
                let agents = state.agents(&id).into_iter().map(|a| a.agent_id).collect();
                let any = databases
                    .iter()
                    .cloned()
                    .chain(state.risk_rules(&id).into_iter().map(|r| r.id))
                    .chain(state.scope_rules(&id).into_iter().map(|r| r.id))
                    .chain(state.sql_rules(&id).into_iter().map(|r| r.id))
                    .chain(state.mask_rules(&id).into_iter().map(|r| r.id))
                    .chain(state.whitelists(&id).into_iter().map(|w| w.id))
                    .chain(state.reports(&id).into_iter().map(|r| r.id))
                    .collect();
                let children = Children { databases, agents, any };
                (id, children)
            });
            let clusters = state.clusters().into_iter().map(|c| (c.id, Children::default()));
            Seeded {
                instances: audit.chain(clusters).collect(),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> &'static Spec {
        Spec::embedded().unwrap_or_else(|e| panic!("{e}"))
    }

    fn route(id: &str) -> Route<'static> {
        Route::Api(spec().operation(id).unwrap_or_else(|| panic!("no {id}")))
    }

    #[test]
    fn routes_cover_the_spec_then_iam() {
        let count = spec().operations().len() as u16;
        assert!(matches!(Route::nth(spec(), 0), Route::Api(_)));
        assert!(matches!(Route::nth(spec(), count + 1), Route::Iam(1)));
        assert!(matches!(Route::nth(spec(), count + 2), Route::Api(_)));
        assert_eq!(Route::nth(spec(), count).method(), Method::POST);
    }

    #[test]
    fn templates_take_real_ids_or_the_given_values() {
        let seeded = Seeded::get();
        let (first, children) = &seeded.instances[0];
        let path = route("DeleteAuditRuleRisk").path(b"", 0);
        assert_eq!(
            path,
            format!(
                "/v1/{}/audit/{first}/rule/risk/{}",
                defaults::PROJECT_ID,
                children.any[0]
            )
        );
        let given = route("DeleteAuditRuleRisk").path(b",a b/c,", 0);
        assert_eq!(
            given,
            format!(
                "/v1/{}/audit/a%20b%2Fc/rule/risk/{}",
                defaults::PROJECT_ID,
                children.any[0]
            )
        );
        assert_eq!(route("DeleteAuditRuleRisk").path(b"/x y?%zz", 0), "/x%20y%3F%zz");
    }
}
