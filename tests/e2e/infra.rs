//! The SAM template (`infra/template.yaml`) against the code it deploys: the API's routes are
//! exactly the routers' routes, each function's permissions are the least it needs, and the alerts
//! stream filter passes exactly the items the store writes for new urgent cases. (`cfn-lint` checks
//! the template's CloudFormation in `scripts/test`.)

use std::collections::BTreeSet;

use baton_e2e::repo_root;
use baton_e2e::runtime_api::{dynamodb_table, raw_item, stream_record};
use desk::Store;
use desk::model::{Event, Priority, Reason};
use desk::store::conformance::{case, conversation};
use desk::store::dynamo::{DynamoStore, case_key, event_key};
use serde_json::Value as Json;
use serde_yaml_ng::Value;

fn template() -> Value {
    let text = std::fs::read_to_string(repo_root().join("infra/template.yaml")).expect("template");
    serde_yaml_ng::from_str(&text).expect("template is YAML")
}

/// The template's functions: (resource name, binary, properties).
fn functions(template: &Value) -> Vec<(String, String, Value)> {
    let resources = template["Resources"].as_mapping().expect("Resources");
    resources
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Serverless::Function")
        .map(|(name, r)| {
            let binary = r["Metadata"]["BuildProperties"]["Binary"]
                .as_str()
                .expect("every function names its binary");
            (
                name.as_str().expect("name").to_string(),
                binary.to_string(),
                r["Properties"].clone(),
            )
        })
        .collect()
}

/// A function's HTTP routes: (method, path, authorizer).
fn http_routes(properties: &Value) -> BTreeSet<(String, String, Option<String>)> {
    let Some(events) = properties["Events"].as_mapping() else {
        return BTreeSet::new();
    };
    events
        .values()
        .filter(|e| e["Type"] == "HttpApi")
        .map(|e| {
            let p = &e["Properties"];
            (
                p["Method"].as_str().expect("Method").to_string(),
                p["Path"].as_str().expect("Path").to_string(),
                p["Auth"]["Authorizer"].as_str().map(str::to_string),
            )
        })
        .collect()
}

#[test]
fn the_api_routes_are_exactly_the_routers_routes() {
    let template = template();
    let mut deployed_binaries = BTreeSet::new();
    for (name, binary, properties) in functions(&template) {
        deployed_binaries.insert(binary.clone());
        // Which router each binary mounts, checked against its source so this table cannot drift.
        let (module, routes) = match binary.as_str() {
            "search" => ("search", desk::http::search::routes()),
            "bot" => ("conversations", desk::http::conversations::routes()),
            "operator" => ("operator", desk::http::operator::routes()),
            _ => {
                assert!(
                    http_routes(&properties).is_empty(),
                    "{name} has HTTP routes but serves none"
                );
                continue;
            }
        };
        let main =
            std::fs::read_to_string(repo_root().join(format!("functions/{binary}/src/main.rs")))
                .expect("main.rs");
        assert!(
            main.contains(&format!("desk::http::{module}::routes()")),
            "functions/{binary} does not mount desk::http::{module}::routes()"
        );
        let served: BTreeSet<(String, String)> = routes
            .list()
            .iter()
            .map(|r| (r.method.to_string(), r.path.to_string()))
            .collect();
        let deployed = http_routes(&properties);
        let deployed_paths: BTreeSet<(String, String)> = deployed
            .iter()
            .map(|(m, p, _)| (m.clone(), p.clone()))
            .collect();
        assert_eq!(
            deployed_paths, served,
            "{name}: template routes (left) differ from the router's (right)"
        );
        for (method, path, authorizer) in &deployed {
            let operator = path.starts_with("/api/operator/");
            assert_eq!(
                authorizer.as_deref(),
                operator.then_some("OperatorJwt"),
                "{method} {path}: operator routes and only they sit behind the JWT authorizer"
            );
        }
    }
    for binary in ["search", "bot", "operator", "alerts", "insights"] {
        assert!(
            deployed_binaries.contains(binary),
            "{binary} is not deployed"
        );
        assert!(
            repo_root()
                .join(format!("functions/{binary}/Cargo.toml"))
                .exists(),
            "{binary} is not a workspace package"
        );
    }
}

/// A function's policy statements as JSON (tags such as `!Sub` kept as `{"!Sub": …}`).
fn statements(properties: &Value) -> Vec<Json> {
    let policies = serde_json::to_value(&properties["Policies"]).expect("policies as JSON");
    policies
        .as_array()
        .map(|ps| {
            ps.iter()
                .flat_map(|p| p["Statement"].as_array().cloned().unwrap_or_default())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn each_function_has_the_least_privilege_it_needs() {
    let template = template();
    for (name, binary, properties) in functions(&template) {
        let statements = statements(&properties);
        let actions: BTreeSet<String> = statements
            .iter()
            .flat_map(|s| s["Action"].as_array().cloned().unwrap_or_default())
            .map(|a| a.as_str().expect("action").to_string())
            .collect();
        for action in &actions {
            assert!(
                !action.contains('*')
                    && ![
                        "Scan",
                        "DeleteItem",
                        "UpdateItem",
                        "DeleteTable",
                        "UpdateTable"
                    ]
                    .iter()
                    .any(|a| action.ends_with(a)),
                "{name}: {action} is more than any function needs"
            );
        }
        let resources = serde_json::to_string(
            &statements
                .iter()
                .map(|s| &s["Resource"])
                .collect::<Vec<_>>(),
        )
        .expect("resources");
        match binary.as_str() {
            // Search and alerts touch no table item: search reads the index, alerts the stream
            // (SAM grants the stream-read actions for the DynamoDB event only).
            "search" | "alerts" => assert!(actions.is_empty(), "{name}: {actions:?}"),
            "bot" => {
                assert!(
                    !resources.contains("index/queue"),
                    "the bot cannot list the queue"
                );
                assert!(!actions.contains("dynamodb:DescribeTable"));
            }
            "operator" => assert!(
                resources.contains("index/queue"),
                "operators read the queue"
            ),
            "insights" => {
                assert_eq!(actions, BTreeSet::from(["dynamodb:Query".to_string()]));
                assert_eq!(
                    statements[0]["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"],
                    serde_json::json!(["EV#*"]),
                    "insights reads only the event partitions"
                );
            }
            other => panic!("unexpected function {other}"),
        }
    }
}

/// Whether an event matches an EventBridge-style filter pattern (the subset Lambda filters use
/// here: lists of exact strings and `{"prefix": …}`, nested objects).
fn matches(pattern: &Json, event: &Json) -> bool {
    match pattern {
        Json::Object(fields) => fields
            .iter()
            .all(|(key, sub)| event.get(key).is_some_and(|value| matches(sub, value))),
        Json::Array(options) => options.iter().any(|option| match option {
            Json::Object(rule) => match rule.get("prefix").and_then(Json::as_str) {
                Some(prefix) => event.as_str().is_some_and(|s| s.starts_with(prefix)),
                None => panic!("unsupported filter rule {rule:?}"),
            },
            exact => exact == event,
        }),
        _ => panic!("unsupported filter pattern {pattern}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_alerts_filter_passes_new_urgent_cases_only() {
    let template = template();
    let alerts = &template["Resources"]["AlertsFunction"]["Properties"]["Events"]["UrgentCases"]["Properties"];
    assert_eq!(
        alerts["FunctionResponseTypes"][0],
        "ReportBatchItemFailures"
    );
    let pattern: Json = serde_json::from_str(
        alerts["FilterCriteria"]["Filters"][0]["Pattern"]
            .as_str()
            .expect("pattern"),
    )
    .expect("pattern is JSON");

    let (table, _) = dynamodb_table().await;
    let store = DynamoStore::from_env(&table).await;
    let at = desk::model::now();
    let urgent = case(&conversation("c1"), Priority::Urgent, at);
    let mut normal = case(&conversation("c2"), Priority::Normal, at);
    normal.reason = Reason::HumanRequested;
    store.insert_case(&urgent).await.expect("urgent");
    store.insert_case(&normal).await.expect("normal");
    let event = Event {
        id: desk::model::new_id("ev"),
        kind: "handoff".into(),
        at,
        conversation_id: urgent.conversation_id.clone(),
        category: Some(urgent.category),
        area: urgent.area.clone(),
        data: Default::default(),
    };
    store.insert_event(&event).await.expect("event");
    let urgent_item = raw_item(&table, case_key(&urgent.id)).await;
    let normal_item = raw_item(&table, case_key(&normal.id)).await;
    let event_item = raw_item(&table, event_key(&event)).await;

    assert!(matches(
        &pattern,
        &stream_record("INSERT", "1", &urgent_item)
    ));
    assert!(!matches(
        &pattern,
        &stream_record("MODIFY", "2", &urgent_item)
    ));
    assert!(!matches(
        &pattern,
        &stream_record("INSERT", "3", &normal_item)
    ));
    assert!(!matches(
        &pattern,
        &stream_record("INSERT", "4", &event_item)
    ));
}

#[test]
fn the_index_layer_is_where_the_functions_open_it() {
    let template = template();
    let layer = template["Resources"]["IndexLayer"]["Properties"]["ContentUri"]
        .as_str()
        .expect("ContentUri");
    assert_eq!(layer, "../target/kb-layer");
    // A layer unpacks under /opt: target/kb-layer/kb-index becomes /opt/kb-index, the default of
    // BATON_INDEX_DIR (desk::lambda), and infra/README.md builds exactly that directory.
    let readme = std::fs::read_to_string(repo_root().join("infra/README.md")).expect("README");
    assert!(
        readme.contains("--out target/kb-layer/kb-index"),
        "infra/README.md builds the layer"
    );
    let lambda = std::fs::read_to_string(repo_root().join("functions/desk/src/lambda.rs"))
        .expect("lambda.rs");
    assert!(lambda.contains("\"/opt/kb-index\""));
}

#[test]
fn the_guides_workflow_runs_the_real_commands() {
    let text = std::fs::read_to_string(repo_root().join(".github/workflows/guides.yml"))
        .expect("workflow");
    let workflow: Value = serde_yaml_ng::from_str(&text).expect("workflow is YAML");
    assert_eq!(workflow["on"]["push"]["paths"][0], "kb/**");
    assert_eq!(workflow["on"]["pull_request"]["paths"][0], "kb/**");
    let runs: Vec<String> = workflow["jobs"]
        .as_mapping()
        .expect("jobs")
        .values()
        .flat_map(|job| job["steps"].as_sequence().cloned().unwrap_or_default())
        .filter_map(|step| step["run"].as_str().map(str::to_string))
        .collect();
    let runs = runs.join("\n");
    for command in [
        "cargo run --release -p kb -- check kb/guides",
        "cargo run --release -p kb -- build kb/guides --out target/kb-layer/kb-index",
        "scripts/test --skip astro_",
        "sam build --template infra/template.yaml --beta-features",
        "sam deploy",
    ] {
        assert!(
            runs.contains(command),
            "the workflow does not run `{command}`"
        );
    }
    assert!(
        workflow["jobs"]["deploy"]["if"]
            .as_str()
            .is_some_and(|c| c.contains("refs/heads/main")),
        "deploys only from main"
    );
    let matcher = std::fs::read_to_string(repo_root().join(".github/kb-check-matcher.json"))
        .expect("matcher");
    serde_json::from_str::<Json>(&matcher).expect("the problem matcher is JSON");
}
