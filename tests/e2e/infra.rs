//! The SAM template (`infra/template.yaml`) against the code it deploys: the API's routes are
//! exactly the routers' routes, each function's permissions are the least it needs, and the alerts
//! stream filter passes exactly the items the store writes for new urgent cases. (`cfn-lint` checks
//! the template's CloudFormation in `scripts/test`.)

use std::collections::BTreeSet;

use baton_e2e::repo_root;
use baton_e2e::runtime_api::{dynamodb_table, raw_item, stream_change, stream_record};
use desk::Store;
use desk::model::{Case, CaseStatus, Event, EventKind, Priority, Reason};
use desk::store::Commit;
use desk::store::conformance::{case, conversation, create_case, update_case};
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
            "conversations" => (
                "conversations",
                desk::http::conversations::routes()
                    .merge(desk::http::board::routes())
                    .merge(desk::http::organisation::routes()),
            ),
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
        assert_eq!(
            main.contains("desk::http::board::routes()"),
            binary == "conversations",
            "the board's routes are the conversations function's"
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
    for binary in [
        "search",
        "conversations",
        "operator",
        "alerts",
        "insights",
        "reminders",
    ] {
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
            // Alerts touch no table item: they read the stream (SAM grants the stream-read
            // actions for the DynamoDB event only).
            "alerts" => assert!(actions.is_empty(), "{name}: {actions:?}"),
            // Search reads the index and may only add events.
            "search" => {
                assert_eq!(actions, BTreeSet::from(["dynamodb:PutItem".to_string()]));
                assert_eq!(
                    statements[0]["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"],
                    serde_json::json!(["EV#*"]),
                    "search writes only event items"
                );
            }
            "conversations" => {
                assert!(
                    !resources.contains("index/queue"),
                    "the customer side cannot list the queue"
                );
                assert!(!actions.contains("dynamodb:DescribeTable"));
                let s3: BTreeSet<&str> = actions
                    .iter()
                    .filter(|a| a.starts_with("s3:"))
                    .map(String::as_str)
                    .collect();
                assert_eq!(
                    s3,
                    BTreeSet::from(["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]),
                    "uploads: sign, read, keep, remove; never list"
                );
                assert!(
                    resources.contains("AttachmentsBucket.Arn}/*"),
                    "{resources}"
                );
            }
            "operator" => {
                assert!(
                    actions
                        .iter()
                        .filter(|a| a.starts_with("s3:"))
                        .map(String::as_str)
                        .eq(["s3:GetObject"]),
                    "operators only read screenshots: {actions:?}"
                );
                assert!(
                    resources.contains("index/queue"),
                    "operators read the queue"
                );
                // Health probes a real write now; describing the table proves nothing.
                assert!(!actions.contains("dynamodb:DescribeTable"));
            }
            "insights" => {
                assert_eq!(
                    actions,
                    BTreeSet::from(["dynamodb:PutItem".to_string(), "dynamodb:Query".to_string()])
                );
                assert_eq!(
                    statements[0]["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"],
                    serde_json::json!(["EV#*"]),
                    "insights reads, and marks sent, only in the event partitions"
                );
            }
            "reminders" => {
                assert_eq!(
                    actions,
                    BTreeSet::from(["dynamodb:PutItem".to_string(), "dynamodb:Query".to_string()])
                );
                assert_eq!(
                    statements[0]["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"],
                    serde_json::json!(["CASE#*"]),
                    "reminders write only cases"
                );
                assert!(
                    resources.contains("index/queue"),
                    "reminders read the queue"
                );
                assert!(
                    !resources.contains("index/customer"),
                    "reminders need no customer's history"
                );
            }
            "mail" => {
                let outside: BTreeSet<&str> = actions
                    .iter()
                    .filter(|a| !a.starts_with("dynamodb:"))
                    .map(String::as_str)
                    .collect();
                assert_eq!(
                    outside,
                    BTreeSet::from(["s3:GetObject", "ses:SendEmail"]),
                    "mail reads what SES stored and sends as the support domain, nothing more"
                );
                assert!(
                    resources.contains("MailBucket.Arn}/inbound/*"),
                    "only the received mail: {resources}"
                );
                assert!(resources.contains(":identity/"), "{resources}");
                assert!(!actions.contains("dynamodb:DescribeTable"));
                assert!(
                    resources.contains("index/queue"),
                    "due mail is on the queue index"
                );
            }
            other => panic!("unexpected function {other}"),
        }
    }
}

/// Whether a record matches a Lambda event-filter pattern, for the rules the template uses:
/// exact values, `prefix`, and `exists: false` (the field is absent).
fn matches(pattern: &Json, event: &Json) -> bool {
    match pattern {
        Json::Object(fields) => fields.iter().all(|(key, sub)| match event.get(key) {
            Some(value) => matches_present(sub, value),
            None => is_absence(sub),
        }),
        _ => panic!("unsupported filter pattern {pattern}"),
    }
}

fn is_absence(pattern: &Json) -> bool {
    pattern.as_array().is_some_and(|options| {
        options
            .iter()
            .any(|o| o.get("exists") == Some(&Json::Bool(false)))
    })
}

fn matches_present(pattern: &Json, event: &Json) -> bool {
    match pattern {
        Json::Object(_) => matches(pattern, event),
        Json::Array(options) => options.iter().any(|option| match option {
            Json::Object(rule) if rule.get("exists") == Some(&Json::Bool(false)) => false,
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
async fn the_alerts_filter_passes_exactly_the_writes_that_are_due_an_alert() {
    let template = template();
    let alerts = &template["Resources"]["AlertsFunction"]["Properties"]["Events"]["UrgentCases"]["Properties"];
    assert_eq!(
        alerts["FunctionResponseTypes"][0],
        "ReportBatchItemFailures"
    );
    assert_eq!(
        template["Resources"]["Table"]["Properties"]["StreamSpecification"]["StreamViewType"],
        "NEW_AND_OLD_IMAGES",
        "the filter compares the images before and after a write"
    );
    let patterns: Vec<Json> = alerts["FilterCriteria"]["Filters"]
        .as_sequence()
        .expect("filters")
        .iter()
        .map(|f| serde_json::from_str(f["Pattern"].as_str().expect("pattern")).expect("JSON"))
        .collect();
    let passes = |record: &Json| patterns.iter().any(|p| matches(p, record));

    let (table, _) = dynamodb_table().await;
    let store = DynamoStore::from_env(&table).await;
    let at = desk::model::now();
    let item = |id: &str| raw_item(&table, case_key(id));

    // Every kind of write to a case the desk makes, and whether it is due an alert.
    let urgent = case(&conversation("c1"), Priority::Urgent, at);
    let mut normal = case(&conversation("c2"), Priority::Normal, at);
    normal.reason = Reason::HumanRequested;
    create_case(&store, &urgent).await;
    create_case(&store, &normal).await;
    let mut records = vec![
        (
            "new urgent case",
            stream_record("INSERT", "1", &item(&urgent.id).await),
            true,
        ),
        (
            "new normal case",
            stream_record("INSERT", "2", &item(&normal.id).await),
            false,
        ),
    ];
    let mut write = async |name: &'static str, before: &Case, after: Case, due: bool| {
        let old = item(&before.id).await;
        let stored = update_case(
            &store,
            &Case {
                version: before.version,
                ..after
            },
        )
        .await
        .expect("update");
        let new = item(&before.id).await;
        records.push((name, stream_change("MODIFY", "3", Some(&old), &new), due));
        stored
    };
    let claimed = write(
        "urgent case claimed",
        &urgent,
        Case {
            status: CaseStatus::Claimed,
            assignee: Some("minji".into()),
            ..urgent.clone()
        },
        false,
    )
    .await;
    let resolved = write(
        "urgent case resolved",
        &claimed,
        Case {
            status: CaseStatus::Resolved,
            ..claimed.clone()
        },
        false,
    )
    .await;
    write(
        "urgent case reopened",
        &resolved,
        Case {
            status: CaseStatus::Open,
            assignee: None,
            ..resolved.clone()
        },
        true,
    )
    .await;
    let renamed = write(
        "normal case noted",
        &normal,
        Case {
            summary: "more words".into(),
            ..normal.clone()
        },
        false,
    )
    .await;
    write(
        "normal case escalated",
        &renamed,
        Case {
            priority: Priority::Urgent,
            ..renamed.clone()
        },
        true,
    )
    .await;
    let event = Event::new(EventKind::Handoff, &urgent.conversation_id, None, None, []);
    store
        .commit(&Commit {
            events: vec![event.clone()],
            ..Commit::default()
        })
        .await
        .expect("event");
    records.push((
        "an event",
        stream_record("INSERT", "4", &raw_item(&table, event_key(&event)).await),
        false,
    ));
    for (name, record, due) in &records {
        assert_eq!(passes(record), *due, "the filter on: {name}");
    }
}

#[test]
fn the_index_layer_is_where_the_functions_open_it() {
    let template = template();
    let layer = template["Resources"]["IndexLayer"]["Properties"]["ContentUri"]
        .as_str()
        .expect("ContentUri");
    assert_eq!(layer, "../target/kb-layer");
    // A layer unpacks under /opt: target/kb-layer/kb-index becomes /opt/kb-index, the default of
    // BATON_INDEX in Lambda (desk::config), and infra/README.md builds exactly that directory.
    let readme = std::fs::read_to_string(repo_root().join("infra/README.md")).expect("README");
    assert!(
        readme.contains("--out target/kb-layer/kb-index"),
        "infra/README.md builds the layer"
    );
    let config = desk::config::Config::from_pairs(
        desk::config::Deployment::Lambda,
        [(desk::config::TABLE, "t")],
    )
    .expect("config");
    assert_eq!(config.index, std::path::Path::new("/opt/kb-index"));
}

#[test]
fn the_model_layer_is_where_the_conversations_function_loads_it() {
    let template = template();
    let layer = template["Resources"]["ModelLayer"]["Properties"]["ContentUri"]
        .as_str()
        .expect("ContentUri");
    assert_eq!(layer, "../target/model-layer");
    // target/model-layer/model/e5-small-q4.bin unpacks to /opt/model/e5-small-q4.bin, where a
    // Lambda desk looks for the model (desk::app::meaning), and infra/README.md copies exactly there.
    assert_eq!(
        desk::app::meaning::LAMBDA_MODEL,
        "/opt/model/e5-small-q4.bin"
    );
    assert_eq!(
        desk::app::meaning::LAMBDA_MODEL,
        format!("/opt/model/{}", encoder::fetch::FILE_NAME)
    );
    let readme = std::fs::read_to_string(repo_root().join("infra/README.md")).expect("README");
    assert!(readme.contains("cp data/model/e5-small-q4.bin target/model-layer/model/"));
    // The bot runs in the conversations function (and on a first mail, in the mail function) and
    // the weekly report groups questions by meaning: they have the layer, the others do not load
    // 72 MB they never read.
    for (name, resource) in template["Resources"].as_mapping().expect("resources") {
        let layers =
            serde_yaml_ng::to_string(&resource["Properties"]["Layers"]).unwrap_or_default();
        let has = layers.contains("ModelLayer");
        assert_eq!(
            has,
            matches!(
                name.as_str(),
                Some("ConversationsFunction" | "InsightsFunction" | "MailFunction")
            ),
            "{name:?}: {layers}"
        );
    }
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
        "cp data/model/e5-small-q4.bin target/model-layer/model/",
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

/// The CSP CloudFront sets on a path (its cache behavior's response headers policy), with
/// `WidgetSites` substituted.
fn cloudfront_csp(template: &Value, path: &str, widget_sites: &str) -> String {
    let config = &template["Resources"]["Site"]["Properties"]["DistributionConfig"];
    let behavior = config["CacheBehaviors"]
        .as_sequence()
        .expect("CacheBehaviors")
        .iter()
        .find(|b| {
            b["PathPattern"]
                .as_str()
                .is_some_and(|pattern| match pattern.strip_suffix('*') {
                    Some(prefix) => path.starts_with(prefix),
                    None => pattern == path,
                })
        })
        .unwrap_or(&config["DefaultCacheBehavior"]);
    let policy_name = match &behavior["ResponseHeadersPolicyId"] {
        Value::Tagged(tagged) => tagged.value.as_str().expect("!Ref name").to_string(),
        other => panic!("{path}: ResponseHeadersPolicyId is not a !Ref: {other:?}"),
    };
    let csp = &template["Resources"][policy_name.as_str()]["Properties"]["ResponseHeadersPolicyConfig"]
        ["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"];
    let text = match csp {
        Value::String(s) => s.clone(),
        Value::Tagged(tagged) => tagged.value.as_str().expect("!Sub string").to_string(),
        other => panic!("{policy_name}: CSP {other:?}"),
    };
    text.replace("${WidgetSites}", widget_sites)
        .trim_end()
        .to_string()
}

#[test]
fn cloudfront_sets_the_same_page_headers_as_baton_serve() {
    use desk::http::pages::{Page, content_security_policy};
    let template = template();
    let sites = [
        "https://shop.example.com".to_string(),
        "https://m.shop.example.com".to_string(),
    ];
    for (path, page) in [
        ("/ko/index.html", Page::Help),
        ("/console/index.html", Page::Console),
        (desk::http::pages::WIDGET_FRAME, Page::WidgetFrame),
        (desk::http::pages::WIDGET_LOADER, Page::WidgetLoader),
    ] {
        assert_eq!(Page::of(path), page);
        assert_eq!(
            cloudfront_csp(&template, path, &sites.join(" ")),
            content_security_policy(page, &sites),
            "{path}"
        );
        assert_eq!(
            cloudfront_csp(&template, path, ""),
            content_security_policy(page, &[]),
            "{path} without widget sites"
        );
    }
    // The API is not behind the pages' policy: its own headers (default-src 'none') come through.
    let config = &template["Resources"]["Site"]["Properties"]["DistributionConfig"];
    let api = config["CacheBehaviors"]
        .as_sequence()
        .expect("behaviors")
        .iter()
        .find(|b| b["PathPattern"] == "/api/*")
        .expect("an /api/* behavior");
    assert!(api["ResponseHeadersPolicyId"].is_null());
    assert_eq!(api["TargetOriginId"], "api");
    let hsts = &template["Resources"]["PageHeaders"]["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
        ["StrictTransportSecurity"];
    assert_eq!(
        format!(
            "max-age={}; includeSubDomains",
            hsts["AccessControlMaxAgeSec"].as_u64().expect("max age")
        ),
        desk::http::pages::STRICT_TRANSPORT_SECURITY
    );
}

/// The mail path as deployed: SES stores a mail in the bucket the function reads, under the
/// prefix the code reads (`desk::mail::ses::INBOUND_PREFIX`), then invokes the function; the
/// bucket forgets received mail after a while, and SES may write only there.
#[test]
fn ses_stores_mail_where_the_mail_function_reads_it() {
    let template = template();
    let resources = &template["Resources"];
    let rule = &resources["MailRule"]["Properties"]["Rule"];
    let actions = rule["Actions"].as_sequence().expect("actions");
    let prefix = desk::mail::ses::INBOUND_PREFIX;
    assert_eq!(actions[0]["S3Action"]["ObjectKeyPrefix"], prefix);
    assert_eq!(actions[1]["LambdaAction"]["InvocationType"], "Event");
    assert_eq!(rule["ScanEnabled"], true, "spam and virus verdicts");
    let lifecycle = &resources["MailBucket"]["Properties"]["LifecycleConfiguration"]["Rules"][0];
    assert_eq!(lifecycle["Prefix"], prefix);
    assert!(
        lifecycle["ExpirationInDays"]
            .as_u64()
            .is_some_and(|d| d <= 90)
    );
    let statement = &resources["MailBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0];
    assert_eq!(statement["Principal"]["Service"], "ses.amazonaws.com");
    assert_eq!(statement["Action"], "s3:PutObject");
    let env = &resources["MailFunction"]["Properties"]["Environment"]["Variables"];
    for name in [
        desk::config::MAIL_FROM,
        desk::config::MAIL_KEY,
        desk::config::MAIL_BUCKET,
    ] {
        assert!(!env[name].is_null(), "the mail function is given {name}");
    }
    let operator = &resources["OperatorFunction"]["Properties"]["Environment"]["Variables"];
    assert!(
        !operator[desk::config::MAIL_FROM].is_null() && !operator[desk::config::MAIL_KEY].is_null(),
        "an operator's reply on a mail conversation is stored with its mail"
    );
}
