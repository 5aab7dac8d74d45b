//! `crates/dbss-cli/src/generated/api.rs`: one `dbss api <operation>` subcommand per
//! operation of the spec, with one flag per parameter, and its dispatch onto `dbss::Ops`.

use proc_macro2::TokenStream;
use quote::quote;

use super::{doc_text, ops::ident};
use crate::spec::{Operation, Param, ParamType, ResponseKind};

pub fn render(ops: &[Operation]) -> TokenStream {
    let commands = ops.iter().map(command);
    let arms = ops.iter().map(dispatch_arm);
    let templates = ops.iter().map(|op| {
        let name = &op.kebab;
        let example = op
            .body
            .as_ref()
            .and_then(|b| b.example.as_ref())
            .map(|e| serde_json::to_string_pretty(e).unwrap_or_default());
        match example {
            Some(text) => quote!((#name, Some(#text))),
            None => quote!((#name, None)),
        }
    });
    let count = ops.len();
    quote! {
        use clap::{Arg, ArgMatches, Command};

        use crate::api_support::{ApiOutput, body_arg, finish_binary, finish_json, parse_body};
        use crate::error::CliError;

        /// The `dbss api` subcommands, one per operation.
        pub fn commands() -> Vec<Command> {
            vec![#(#commands),*]
        }

        /// The example request body of each operation that takes one, from the spec.
        pub static BODY_TEMPLATES: [(&str, Option<&str>); #count] = [#(#templates),*];

        /// Runs the operation named `name` (kebab case) with the flags in `matches`.
        pub async fn dispatch(client: &dbss::Client, name: &str, matches: &ArgMatches) -> Result<ApiOutput, CliError> {
            match name {
                #(#arms)*
                other => Err(CliError::UnknownOperation(other.to_owned())),
            }
        }
    }
}

fn command(op: &Operation) -> TokenStream {
    let name = &op.kebab;
    let about = op.summary.clone();
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
        Command::new(#name).about(#about).long_about(#long_about) #(.arg(#args))* #body
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
    let required = p.required;
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
            quote!(.value_parser([#(#values),*]))
        }
        _ => typed,
    };
    let help = if p.enum_values.is_empty() || p.ty == ParamType::String {
        help
    } else {
        format!("{help}; one of {}", p.enum_values.join(", "))
    };
    quote! {
        Arg::new(#id).long(#long).help(#help).required(#required) #parser
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
