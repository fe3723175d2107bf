//! The documents against the code: every setting `desk::config` reads is in the README's table
//! with its default, and every route the routers serve is in `docs/api.md`.

use baton_e2e::repo_root;

fn read(path: &str) -> String {
    std::fs::read_to_string(repo_root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_readme_lists_every_setting_with_its_default() {
    let readme = read("README.md");
    for var in desk::config::VARS {
        let row = format!("| `{}` | {} |", var.name, var.default);
        assert!(readme.contains(&row), "README.md lacks the row {row}");
    }
}

#[test]
fn the_api_document_names_every_route() {
    let api = read("docs/api.md");
    let routes = desk::http::search::routes()
        .merge(desk::http::conversations::routes())
        .merge(desk::http::board::routes())
        .merge(desk::http::organisation::routes())
        .merge(desk::http::operator::routes());
    for route in routes.list() {
        let written = format!("{} {}", route.method, route.path);
        assert!(
            api.contains(&written),
            "docs/api.md does not describe {written}"
        );
    }
}
