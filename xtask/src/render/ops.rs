//! `crates/dbss/src/generated/operations.rs`: operation metadata, and every operation of the
//! spec on `dbss::Ops` with the project id filled in from the client's configuration.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::{doc_attrs, doc_text};
use crate::spec::{BodyField, Operation, PagingStyle, ParamType, ResponseKind};

pub fn render(ops: &[Operation]) -> TokenStream {
    let metas = ops.iter().map(meta);
    let methods = ops.iter().map(accessor);
    let impls = ops.iter().enumerate().map(|(index, op)| operation_impl(index, op));
    let pagers = ops.iter().filter_map(pager);
    let count = ops.len();
    let positions = ops.iter().enumerate().map(|(index, op)| {
        let (id, snake) = (&op.id, &op.snake);
        quote!(#id | #snake => Some(#index),)
    });
    quote! {
        use crate::operation::{Operation, OperationMeta};

        /// Every operation of the spec, sorted by operation id.
        pub static OPERATIONS: [OperationMeta; #count] = [#(#metas),*];

        /// Where an operation is in [`OPERATIONS`], by its id or snake id (a `match`, because
        /// the transport looks the operation of every request up).
        pub(crate) fn position(id: &str) -> Option<usize> {
            match id {
                #(#positions)*
                _ => None,
            }
        }

        impl<'a> crate::Ops<'a> {
            #(#methods)*
        }

        #(#impls)*

        #(#pagers)*
    }
}

/// `impl Paged` for an operation with `x-paging`.
fn pager(op: &Operation) -> Option<TokenStream> {
    let paging = op.paging.as_ref()?;
    let builder = ident(&op.pascal);
    let item = ident(&paging.item_type);
    let items = ident(&paging.items);
    let number = |ty: ParamType, value: TokenStream| match ty {
        ParamType::String | ParamType::StringList => quote!(#value.to_string()),
        _ => quote!(#value),
    };
    let at = match &paging.style {
        PagingStyle::OffsetLimit { offset, limit } => {
            let offset = number(*offset, quote!(offset));
            let limit = number(*limit, quote!(limit));
            quote!(self.offset(#offset).limit(#limit))
        }
        PagingStyle::PageSize { page, size, first } => {
            let setter = |field: &BodyField, value: TokenStream| {
                let name = ident(&field.name);
                let value = match field.ty {
                    ParamType::I32 => quote!(i32::try_from(#value).unwrap_or(i32::MAX)),
                    ParamType::I64 => quote!(i64::try_from(#value).unwrap_or(i64::MAX)),
                    _ => quote!((#value).to_string()),
                };
                let value = if field.required { value } else { quote!(Some(#value)) };
                quote!(.#name(#value))
            };
            let page = setter(page, quote!(offset / limit.max(1) + #first));
            let size = setter(size, quote!(limit));
            quote!(self.body_map(|body| body #page #size))
        }
    };
    let total = match &paging.total {
        Some(field) => {
            let field = ident(field);
            quote!(output.#field.and_then(|total| u64::try_from(total).ok()))
        }
        None => quote!(None),
    };
    let numbered = matches!(paging.style, PagingStyle::PageSize { .. });
    let gate = cfg(op);
    Some(quote! {
        #gate
        impl crate::paging::Paged for dbss_api::builder::#builder<'_> {
            type Item = dbss_api::types::#item;
            const PAGE_NUMBERED: bool = #numbered;
            fn at(self, offset: u64, limit: u64) -> Self {
                #at
            }
            fn split(output: Self::Output) -> (Vec<Self::Item>, Option<u64>) {
                let total = #total;
                (output.#items, total)
            }
        }
    })
}

fn meta(op: &Operation) -> TokenStream {
    let id = &op.id;
    let snake = &op.snake;
    let method = &op.method;
    let path = &op.path;
    let content_type = &op.content_type;
    let idempotent = op.idempotent;
    let success_status = op.success.status;
    let streamed = matches!(op.success.kind, ResponseKind::Binary);
    let deprecated = op.deprecated;
    let replaced_by = match &op.replaced_by {
        Some(r) => quote!(Some(#r)),
        None => quote!(None),
    };
    quote! {
        OperationMeta {
            id: #id,
            snake_id: #snake,
            method: #method,
            path: #path,
            content_type: #content_type,
            success_status: #success_status,
            idempotent: #idempotent,
            streamed: #streamed,
            deprecated: #deprecated,
            replaced_by: #replaced_by,
        }
    }
}

fn accessor(op: &Operation) -> TokenStream {
    let name = ident(&op.snake);
    let builder = ident(&op.pascal);
    let mut doc = doc_text(&op.summary, &op.description);
    doc.push_str(&format!(
        "\n\n`{} {}` (`{}`). The project id is filled in from the client's configuration.",
        op.method, op.path, op.id
    ));
    let deprecated = op.deprecated.then(|| {
        let note = match &op.replaced_by {
            Some(r) => format!("the service is retiring this operation; use {r}"),
            None => "the service is retiring this operation".to_owned(),
        };
        quote!(#[deprecated(note = #note)])
    });
    let fill = op.params.iter().filter(|p| p.is_from_config()).map(|p| {
        let setter = ident(&p.snake());
        quote!(.#setter(self.project_id))
    });
    // `{domain_id}` is filled when the configuration has one; otherwise the caller sets it.
    let domain = op
        .params
        .iter()
        .any(|p| p.location == "path" && p.name == "domain_id")
        .then(|| {
            quote! {
                let call = match self.domain_id {
                    Some(domain_id) => call.domain_id(domain_id),
                    None => call,
                };
            }
        });
    let doc = doc_attrs(&doc);
    let gate = cfg(op);
    quote! {
        #doc
        #deprecated
        #gate
        pub fn #name(&self) -> dbss_api::builder::#builder<'a> {
            #[allow(deprecated)]
            let call = self.api.#name() #(#fill)*;
            #domain
            call
        }
    }
}

fn operation_impl(index: usize, op: &Operation) -> TokenStream {
    let builder = ident(&op.pascal);
    let output = match &op.success.kind {
        ResponseKind::Json(name) => {
            let ty = ident(name);
            quote!(dbss_api::types::#ty)
        }
        ResponseKind::Empty => quote!(()),
        ResponseKind::Binary => quote!(dbss_api::ByteStream),
    };
    let gate = cfg(op);
    quote! {
        #gate
        impl Operation for dbss_api::builder::#builder<'_> {
            type Output = #output;
            fn meta() -> &'static OperationMeta {
                &OPERATIONS[#index]
            }
            fn dispatch(self) -> impl std::future::Future<Output = crate::operation::Dispatched<Self::Output>> + Send {
                self.send()
            }
        }
    }
}

/// The product lines `dbss` always has (its Cargo.toml turns them on in `dbss-api`): its own
/// API is made of them. The rest of database audit is its feature `audit`.
const ALWAYS_IN_DBSS: [&str; 2] = [crate::progenitor_codegen::AUDIT_CORE_FEATURE, "tags"];

/// The `#[cfg]` of the features an operation needs: the same as its builder's in `dbss-api`
/// (`crates/dbss-api/gates.rs`), whose features `dbss` forwards under the same names, less
/// the product lines `dbss` always has.
fn cfg(op: &Operation) -> Option<TokenStream> {
    let mut gate = crate::progenitor_codegen::Gate::of(&op.id, &op.path, op.deprecated);
    gate.line = gate.line.filter(|line| !ALWAYS_IN_DBSS.contains(line));
    let predicate = gate.predicate()?;
    let predicate: TokenStream = predicate.parse().ok()?;
    Some(quote!(#[cfg(#predicate)]))
}

/// An identifier, with progenitor's convention for Rust keywords (`type` becomes `type_`).
pub fn ident(name: &str) -> Ident {
    match syn::parse_str::<Ident>(name) {
        Ok(_) => Ident::new(name, Span::call_site()),
        Err(_) => Ident::new(&format!("{name}_"), Span::call_site()),
    }
}
