//! Finds the operation of a request from the spec's path templates.
//!
//! Templates overlap: `/v1/{project_id}/audit/instance/reboot` and
//! `/v1/{project_id}/audit/instance/{instance_id}`, or `/v1/{project_id}/audit/{instance_id}/...`
//! and `/v1/{project_id}/{instance_id}/audit/...`. Of the templates that match, the one with a
//! literal segment where the others have a parameter, leftmost first, wins, as in every
//! HTTP router that gives literals priority.

use std::collections::BTreeMap;

use axum::http::Method;
use percent_encoding::percent_decode_str;

use super::Operation;

/// A request matched to its operation.
#[derive(Debug)]
pub struct Match<'a> {
    /// The operation.
    pub operation: &'a Operation,
    /// Path parameters by name, percent-decoded.
    pub params: BTreeMap<String, String>,
}

#[derive(Debug)]
enum Segment {
    Literal(String),
    Param(String),
}

#[derive(Debug)]
struct Route {
    operation: usize,
    method: Method,
    segments: Vec<Segment>,
}

/// The routes of every operation.
#[derive(Debug)]
pub(super) struct Router {
    routes: Vec<Route>,
}

impl Router {
    pub(super) fn new(operations: &[Operation]) -> Router {
        let routes = operations
            .iter()
            .enumerate()
            .map(|(operation, op)| Route {
                operation,
                method: op.method.clone(),
                segments: split(&op.path)
                    .map(|s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                        Some(name) => Segment::Param(name.to_owned()),
                        None => Segment::Literal(s.to_owned()),
                    })
                    .collect(),
            })
            .collect();
        Router { routes }
    }

    /// The methods of the operations whose template matches `path`, sorted and without
    /// repeats (what a `405` answer lists in `Allow`).
    pub(super) fn methods(&self, path: &str) -> Vec<Method> {
        let segments: Vec<&str> = split(path).collect();
        let mut methods: Vec<Method> = self
            .routes
            .iter()
            .filter(|r| matches(r, &segments))
            .map(|r| r.method.clone())
            .collect();
        methods.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        methods.dedup();
        methods
    }

    /// The best-matching operation's index and its path parameters.
    pub(super) fn find(&self, method: &Method, path: &str) -> Option<(usize, BTreeMap<String, String>)> {
        let segments: Vec<&str> = split(path).collect();
        self.routes
            .iter()
            .filter(|r| r.method == *method && matches(r, &segments))
            // `max_by_key` keeps the last of equals; specificity vectors of distinct templates
            // of one method never tie, because the spec has no duplicate paths.
            .max_by_key(|r| {
                r.segments
                    .iter()
                    .map(|s| matches!(s, Segment::Literal(_)))
                    .collect::<Vec<bool>>()
            })
            .map(|r| {
                let params = r
                    .segments
                    .iter()
                    .zip(&segments)
                    .filter_map(|(template, actual)| match template {
                        Segment::Param(name) => Some((
                            name.clone(),
                            percent_decode_str(actual).decode_utf8_lossy().into_owned(),
                        )),
                        Segment::Literal(_) => None,
                    })
                    .collect();
                (r.operation, params)
            })
    }
}

/// Whether `route`'s template matches the request path's `segments`.
fn matches(route: &Route, segments: &[&str]) -> bool {
    route.segments.len() == segments.len()
        && route
            .segments
            .iter()
            .zip(segments)
            .all(|(template, actual)| match template {
                Segment::Literal(literal) => literal == actual,
                Segment::Param(_) => !actual.is_empty(),
            })
}

fn split(path: &str) -> impl Iterator<Item = &str> {
    path.strip_prefix('/').unwrap_or(path).split('/')
}

#[cfg(test)]
mod tests {
    use crate::spec::Spec;
    use axum::http::Method;

    fn route(method: Method, path: &str) -> Option<(String, Vec<(String, String)>)> {
        let spec = Spec::embedded().unwrap_or_else(|e| panic!("{e}"));
        spec.route(&method, path)
            .map(|m| (m.operation.id.clone(), m.params.into_iter().collect()))
    }

    #[test]
    fn literals_win_over_parameters() {
        let reboot = route(Method::POST, "/v1/p/audit/instance/reboot");
        assert_eq!(reboot.map(|r| r.0).as_deref(), Some("RebootAuditInstanceNew"));
        let update = route(Method::PUT, "/v1/p/audit/instance/abc");
        assert_eq!(
            update.map(|r| r.1),
            Some(vec![
                ("instance_id".into(), "abc".into()),
                ("project_id".into(), "p".into())
            ])
        );
        let sqls_new = route(Method::POST, "/v2/p/audit/i/sqls");
        assert_eq!(sqls_new.map(|r| r.0).as_deref(), Some("ListAuditSqlsNew"));
        let agents_old = route(Method::GET, "/v2/p/i/audit/agents");
        assert_eq!(agents_old.map(|r| r.0).as_deref(), Some("ListAuditAgent"));
    }

    #[test]
    fn the_methods_of_a_path_are_those_of_every_matching_template() {
        let spec = Spec::embedded().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(spec.methods("/v2/p/audit/quota"), vec![Method::GET]);
        assert_eq!(
            spec.methods("/v1/p/dbss/audit/instances"),
            vec![Method::DELETE, Method::GET]
        );
        assert!(spec.methods("/v1/p/nowhere").is_empty());
        assert!(spec.methods("/v1/p/audit/instance/abc").contains(&Method::PUT));
    }

    #[test]
    fn methods_and_lengths_must_match_and_parameters_are_decoded() {
        assert!(route(Method::PATCH, "/v1/p/dbss/audit/instances").is_none());
        assert!(route(Method::GET, "/v1/p/dbss/audit/instances/extra/segments").is_none());
        assert!(route(Method::GET, "/v1//dbss/audit/instances").is_none());
        let tags = route(Method::GET, "/v1/p/auditInstance/a%20b/tags");
        assert_eq!(
            tags.map(|r| r.1),
            Some(vec![
                ("project_id".into(), "p".into()),
                ("resource_id".into(), "a b".into()),
                ("resource_type".into(), "auditInstance".into())
            ])
        );
    }
}
