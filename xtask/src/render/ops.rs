//! `crates/dbss/src/generated/operations.rs`: operation metadata, and every operation of the
//! spec on `dbss::Ops` with the project id filled in from the client's configuration.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::{doc_attrs, doc_text};
use crate::spec::{Operation, ResponseKind};

pub fn render(ops: &[Operation]) -> TokenStream {
    let metas = ops.iter().map(meta);
    let methods = ops.iter().map(accessor);
    let impls = ops.iter().enumerate().map(|(index, op)| operation_impl(index, op));
    let count = ops.len();
    quote! {
        use crate::operation::{Operation, OperationMeta};

        /// Every operation of the spec, sorted by operation id.
        pub static OPERATIONS: [OperationMeta; #count] = [#(#metas),*];

        impl<'a> crate::Ops<'a> {
            #(#methods)*
        }

        #(#impls)*
    }
}

fn meta(op: &Operation) -> TokenStream {
    let id = &op.id;
    let snake = &op.snake;
    let method = &op.method;
    let path = &op.path;
    let content_type = &op.content_type;
    let idempotent = op.idempotent;
    let success_status = op.success.status;
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
    let doc = doc_attrs(&doc);
    quote! {
        #doc
        #deprecated
        pub fn #name(&self) -> dbss_api::builder::#builder<'a> {
            #[allow(deprecated)]
            self.api.#name() #(#fill)*
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
    quote! {
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

/// An identifier, with progenitor's convention for Rust keywords (`type` becomes `type_`).
pub fn ident(name: &str) -> Ident {
    match syn::parse_str::<Ident>(name) {
        Ok(_) => Ident::new(name, Span::call_site()),
        Err(_) => Ident::new(&format!("{name}_"), Span::call_site()),
    }
}
