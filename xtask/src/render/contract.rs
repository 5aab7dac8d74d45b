//! `tests/generated/operations.rs`: one contract case per operation of the spec, built from
//! its documented examples, and the code that makes each call through `dbss::Ops`.
//!
//! The runners are hand-written and table-driven: `tests/operations.rs` mocks the exact request
//! each case documents and checks what the client sends and decodes; the simulator's
//! end-to-end test calls every operation through the same code with real ids. A runner
//! provides two hooks at its crate root: `param(operation, name, example) -> String` (the
//! value of a string parameter) and `example_body::<T>(operation) -> T` (the request body).

use proc_macro2::{Literal, TokenStream};
use quote::quote;
use serde_json::Value;

use super::ops::ident;
use crate::{
    Result,
    spec::{Operation, Param, ParamType, ResponseKind},
};

pub fn render(ops: &[Operation]) -> Result<TokenStream> {
    let mut cases = Vec::new();
    let mut arms = Vec::new();
    for op in ops {
        cases.push(case(op)?);
        arms.push(arm(op)?);
    }
    let count = ops.len();
    Ok(quote! {
        use dbss::Operation;
        use futures::TryStreamExt;

        /// An operation's documented exchange.
        pub struct Case {
            pub id: &'static str,
            pub method: &'static str,
            /// The path with the example values of its parameters.
            pub path: &'static str,
            pub query: &'static [(&'static str, &'static str)],
            pub content_type: &'static str,
            /// The example request body (JSON), if the operation takes one.
            pub request: Option<&'static str>,
            pub status: u16,
            pub response: ResponseKind,
        }

        /// What the documented success response holds.
        pub enum ResponseKind {
            /// This JSON example.
            Json(&'static str),
            /// Nothing.
            Empty,
            /// A file.
            Binary,
        }

        /// What a call returned, in a comparable form.
        #[derive(Debug, PartialEq)]
        pub enum Outcome {
            Json(serde_json::Value),
            Empty,
            Bytes(Vec<u8>),
        }

        /// A decoded response as JSON, without the fields the response left out.
        pub fn json_of<T: serde::Serialize>(value: &T) -> serde_json::Value {
            without_nulls(serde_json::to_value(value).unwrap_or(serde_json::Value::Null))
        }

        fn without_nulls(value: serde_json::Value) -> serde_json::Value {
            match value {
                serde_json::Value::Object(map) => serde_json::Value::Object(
                    map.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k, without_nulls(v))).collect(),
                ),
                serde_json::Value::Array(items) => serde_json::Value::Array(items.into_iter().map(without_nulls).collect()),
                other => other,
            }
        }

        /// Reads a download to the end.
        pub async fn bytes_outcome(stream: dbss::api::ByteStream) -> Result<Outcome, dbss::Error> {
            let chunks: Vec<_> = stream.into_inner().try_collect().await.map_err(|e| dbss::Error::Io(e.to_string()))?;
            Ok(Outcome::Bytes(chunks.concat()))
        }

        /// One case per operation, from the spec's examples.
        pub static CASES: [Case; #count] = [#(#cases),*];

        /// Calls the operation `id` with the example values of its parameters and body.
        pub async fn invoke(client: &dbss::Client, id: &str) -> Result<Outcome, dbss::Error> {
            match id {
                #(#arms)*
                other => panic!("no such operation {other}"),
            }
        }
    })
}

fn example_of<'a>(op: &Operation, p: &'a Param) -> Result<&'a Value> {
    p.example
        .as_ref()
        .ok_or_else(|| format!("{}: parameter {} has no example", op.id, p.name))
}

fn wire_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.first().map(wire_text).unwrap_or_default(),
        other => other.to_string(),
    }
}

fn case(op: &Operation) -> Result<TokenStream> {
    let id = &op.id;
    let method = &op.method;
    let mut path = op.path.clone();
    let mut query = Vec::new();
    for p in &op.params {
        // The project id comes from the client's configuration; the spec's example of it is
        // the project the contract tests configure.
        let text = wire_text(example_of(op, p)?);
        match p.location.as_str() {
            "path" => path = path.replace(&format!("{{{}}}", p.name), &text),
            "query" if !p.is_from_config() => {
                let name = &p.name;
                query.push(quote!((#name, #text)));
            }
            _ => {}
        }
    }
    let content_type = &op.content_type;
    let request = match &op.body {
        Some(body) => {
            let example = body
                .example
                .as_ref()
                .ok_or_else(|| format!("{}: request body has no example", op.id))?;
            let text = serde_json::to_string(example).map_err(|e| e.to_string())?;
            quote!(Some(#text))
        }
        None => quote!(None),
    };
    let status = op.success.status;
    let kind = match &op.success.kind {
        ResponseKind::Json(_) => {
            let example = op
                .success
                .example
                .as_ref()
                .ok_or_else(|| format!("{}: success response has no example", op.id))?;
            let text = serde_json::to_string(example).map_err(|e| e.to_string())?;
            quote!(ResponseKind::Json(#text))
        }
        ResponseKind::Empty => quote!(ResponseKind::Empty),
        ResponseKind::Binary => quote!(ResponseKind::Binary),
    };
    Ok(quote! {
        Case {
            id: #id,
            method: #method,
            path: #path,
            query: &[#(#query),*],
            content_type: #content_type,
            request: #request,
            status: #status,
            response: #kind,
        }
    })
}

fn literal(op_id: &str, p: &Param, value: &Value) -> TokenStream {
    let name = &p.name;
    match (p.ty, value) {
        (ParamType::I32 | ParamType::I64, Value::Number(n)) => {
            let lit = Literal::i64_unsuffixed(n.as_i64().unwrap_or_default());
            quote!(#lit)
        }
        (ParamType::F64, Value::Number(n)) => {
            let lit = Literal::f64_unsuffixed(n.as_f64().unwrap_or_default());
            quote!(#lit)
        }
        (ParamType::Bool, Value::Bool(b)) => quote!(#b),
        (ParamType::StringList, value) => {
            let text = wire_text(value);
            quote!(vec![#text.to_owned()])
        }
        (_, value) => {
            let text = wire_text(value);
            quote!(crate::param(#op_id, #name, #text))
        }
    }
}

fn arm(op: &Operation) -> Result<TokenStream> {
    let id = &op.id;
    let method = ident(&op.snake);
    let mut sets = Vec::new();
    for p in op.params.iter().filter(|p| !p.is_from_config()) {
        let setter = ident(&p.snake());
        let value = literal(&op.id, p, example_of(op, p)?);
        sets.push(quote!(.#setter(#value)));
    }
    let body = op.body.as_ref().map(|b| {
        let ty = ident(&b.type_name);
        quote!(.body(crate::example_body::<dbss::types::#ty>(#id)))
    });
    let finish = match op.success.kind {
        ResponseKind::Binary => quote!(bytes_outcome(call.call().await?).await),
        ResponseKind::Empty => quote!({
            call.call().await?;
            Ok(Outcome::Empty)
        }),
        ResponseKind::Json(_) => quote!(Ok(Outcome::Json(json_of(&call.call().await?)))),
    };
    // Each arm is boxed: one state machine holding every operation's future would be
    // larger than a test thread's stack.
    Ok(quote! {
        #id => Box::pin(async move {
            #[allow(deprecated)]
            let call = client.ops().#method() #(#sets)* #body;
            #finish
        }).await,
    })
}
