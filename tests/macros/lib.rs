//! `#[e2e_macros::test]`, the attribute of every e2e test: `#[ink_e2e::test]` without
//! its build step.
//!
//! ink_e2e 5.1.1's attribute builds, before the first test of a run, every package of
//! the workspace graph that has an `ink-as-dependency` feature, in debug mode, with no
//! way to turn it off: seven contract builds (the psp22 crate among them) on top of the
//! release builds the rest of `make test` needs, and debug bundles written over the
//! release ones in `target/ink/`. This attribute writes the same test function, but
//! hands the test body a client that deploys the bundles `make build` made (see
//! `harness::run` in the e2e crate), so the e2e tests run the code that is deployed.
//!
//! The test runs on the node of its group, which `harness::group_of` derives from the
//! module the test is in (`module_path!()`): its file, or the theme the file belongs to.
//!
//! The test function keeps the shape ink_e2e's attribute takes: an `async fn` whose
//! single argument is the client, e.g.
//! `async fn name<Client: E2EBackend>(mut client: Client) -> E2EResult<()>`. Its
//! generics and argument type are not used: the client is the concrete
//! `ink_e2e::Client` on the dev node the harness keeps for the group.

use proc_macro::TokenStream;
use quote::quote;
use syn::{parse_macro_input, FnArg, ItemFn};

#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    if !args.is_empty() {
        return syn::Error::new(
            proc_macro2::Span::call_site(),
            "#[e2e_macros::test] takes no arguments",
        )
        .to_compile_error()
        .into();
    }
    let func = parse_macro_input!(item as ItemFn);
    let client = match func.sig.inputs.first() {
        Some(FnArg::Typed(arg)) if func.sig.inputs.len() == 1 => arg.pat.clone(),
        _ => {
            return syn::Error::new_spanned(
                &func.sig,
                "an e2e test takes exactly one argument, the client: `mut client: Client`",
            )
            .to_compile_error()
            .into();
        }
    };
    if func.sig.asyncness.is_none() {
        return syn::Error::new_spanned(&func.sig, "an e2e test is an `async fn`")
            .to_compile_error()
            .into();
    }
    let attrs = &func.attrs;
    let vis = &func.vis;
    let name = &func.sig.ident;
    let output = &func.sig.output;
    let body = &func.block;
    quote! {
        #( #attrs )*
        #[test]
        #vis fn #name() #output {
            crate::harness::run(module_path!(), stringify!(#name), |#client| async move #body)
        }
    }
    .into()
}
