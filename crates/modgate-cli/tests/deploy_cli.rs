//! The deployment artifacts agree: the Kubernetes manifests (deploy/kubernetes/),
//! the compose file (deploy/compose.yaml) and scripts/ha-demo carry the same
//! modgate settings (storage, coordination, lease, backup, scrub), the same port
//! and probe paths, and their wiring holds together (Services, labels, the
//! balancer's upstreams, the Redis and S3 hosts they name). Read with real YAML
//! and TOML parsers.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use serde_yaml_ng::Value;

fn yaml_docs(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap();
    serde_yaml_ng::Deserializer::from_str(&text)
        .map(|d| {
            let mut v: Value = serde::Deserialize::deserialize(d)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            v.apply_merge().unwrap();
            v
        })
        .filter(|v| !v.is_null())
        .collect()
}

fn s<'a>(v: &'a Value, path: &[&str]) -> &'a Value {
    let mut v = v;
    for k in path {
        v = match k.parse::<usize>() {
            Ok(i) => &v[i],
            Err(_) => &v[*k],
        };
    }
    v
}

fn text<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    s(v, path)
        .as_str()
        .unwrap_or_else(|| panic!("{path:?} is not a string: {v:?}"))
}

fn toml_table(text: &str, whence: &str) -> toml::Table {
    text.parse()
        .unwrap_or_else(|e| panic!("{whence}: modgate.toml: {e}\n{text}"))
}

fn get<'a>(t: &'a toml::Table, key: &str, whence: &str) -> &'a str {
    t.get(key)
        .and_then(|v| v.as_str())
        .unwrap_or_else(|| panic!("{whence}: no {key} in modgate.toml"))
}

/// `redis://HOST:PORT/DB` → (host, port, db).
fn redis_url(url: &str) -> (String, u16, String) {
    let rest = url
        .strip_prefix("redis://")
        .unwrap_or_else(|| panic!("coordination {url} is not redis://"));
    let (hostport, db) = rest.split_once('/').expect("a database number");
    let (host, port) = hostport.rsplit_once(':').expect("a port");
    (host.to_owned(), port.parse().unwrap(), db.to_owned())
}

fn kubernetes(root: &Path) -> (toml::Table, BTreeMap<String, Value>) {
    let dir = root.join("deploy/kubernetes");
    let kustomization = &yaml_docs(&dir.join("kustomization.yaml"))[0];
    let mut listed: Vec<String> = s(kustomization, &["resources"])
        .as_sequence()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_owned())
        .collect();
    listed.sort();
    let mut present: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml") && n != "kustomization.yaml")
        .collect();
    present.sort();
    assert_eq!(listed, present, "kustomization.yaml lists every manifest");
    let mut by_kind_name = BTreeMap::new();
    for f in &present {
        for doc in yaml_docs(&dir.join(f)) {
            let key = format!(
                "{}/{}",
                text(&doc, &["kind"]),
                text(&doc, &["metadata", "name"])
            );
            assert!(
                by_kind_name.insert(key.clone(), doc).is_none(),
                "{key} twice"
            );
        }
    }
    let config = toml_table(
        text(
            &by_kind_name["ConfigMap/modgate-config"],
            &["data", "modgate.toml"],
        ),
        "ConfigMap modgate-config",
    );
    (config, by_kind_name)
}

#[test]
fn kubernetes_manifests_hold_together() {
    let root = common::workspace_root();
    let (config, k) = kubernetes(&root);
    let dep = &k["Deployment/modgate"];
    assert_eq!(s(dep, &["spec", "replicas"]).as_u64(), Some(3));
    let labels = s(dep, &["spec", "template", "metadata", "labels"]);
    assert_eq!(s(dep, &["spec", "selector", "matchLabels"]), labels);
    let c = s(dep, &["spec", "template", "spec", "containers", "0"]);
    let args: Vec<&str> = s(c, &["args"])
        .as_sequence()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(args, ["serve", "--config", "/etc/modgate/modgate.toml"]);
    // The port the probes and the Service name is the one modgate listens on.
    let port = s(c, &["ports", "0"]);
    assert_eq!(text(port, &["name"]), "http");
    let listen_port = get(&config, "listen", "kubernetes")
        .rsplit(':')
        .next()
        .unwrap();
    assert_eq!(
        s(port, &["containerPort"]).as_u64().map(|p| p.to_string()),
        Some(listen_port.to_owned())
    );
    assert_eq!(text(c, &["livenessProbe", "httpGet", "path"]), "/healthz");
    assert_eq!(text(c, &["readinessProbe", "httpGet", "path"]), "/readyz");
    assert_eq!(text(c, &["livenessProbe", "httpGet", "port"]), "http");
    assert_eq!(text(c, &["readinessProbe", "httpGet", "port"]), "http");
    // SIGTERM drains for shutdown_timeout (30 s): the grace period is longer.
    assert!(
        s(
            dep,
            &["spec", "template", "spec", "terminationGracePeriodSeconds"]
        )
        .as_u64()
        .unwrap()
            > 30
    );
    // The config file is the ConfigMap, mounted where --config points.
    let volumes = s(dep, &["spec", "template", "spec", "volumes"])
        .as_sequence()
        .unwrap();
    let config_volume = volumes
        .iter()
        .find(|v| s(v, &["configMap", "name"]).as_str() == Some("modgate-config"))
        .expect("a volume of the ConfigMap");
    let mount = s(c, &["volumeMounts"])
        .as_sequence()
        .unwrap()
        .iter()
        .find(|m| s(m, &["name"]) == s(config_volume, &["name"]))
        .expect("the ConfigMap mounted");
    assert_eq!(text(mount, &["mountPath"]), "/etc/modgate");
    // Every local path of the config is on a mounted volume (the root is read-only).
    let mounts: Vec<&str> = s(c, &["volumeMounts"])
        .as_sequence()
        .unwrap()
        .iter()
        .map(|m| text(m, &["mountPath"]))
        .collect();
    for key in ["data", "local_cache", "backup_queue"] {
        let path = get(&config, key, "kubernetes");
        assert!(
            mounts.iter().any(|m| path.starts_with(m)),
            "{key} = {path} is on no volume ({mounts:?})"
        );
    }
    // The local tier stays below its emptyDir's limit (exceeding it evicts the pod).
    let tier = volumes
        .iter()
        .find(|v| {
            let name = s(v, &["name"]);
            s(c, &["volumeMounts"])
                .as_sequence()
                .unwrap()
                .iter()
                .any(|m| {
                    s(m, &["name"]) == name
                        && get(&config, "local_cache", "kubernetes")
                            .starts_with(text(m, &["mountPath"]))
                })
        })
        .expect("the local tier's volume");
    let limit = text(tier, &["emptyDir", "sizeLimit"]);
    let size = get(&config, "local_cache_size", "kubernetes");
    let gib = |t: &str, unit: &str| -> u64 { t.strip_suffix(unit).unwrap().parse().unwrap() };
    assert!(
        gib(size, "GiB") < gib(limit, "Gi"),
        "local_cache_size {size}, sizeLimit {limit}"
    );
    // S3 credentials come from the Secret, which has both.
    let secret = text(c, &["envFrom", "0", "secretRef", "name"]);
    let sec = &k[&format!("Secret/{secret}")];
    for var in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] {
        assert!(s(sec, &["stringData", var]).is_string(), "{var}");
    }
    // The Service and the PDB select the replicas.
    let svc = &k["Service/modgate"];
    assert_eq!(s(svc, &["spec", "selector"]), labels);
    assert_eq!(text(svc, &["spec", "ports", "0", "targetPort"]), "http");
    let pdb = &k["PodDisruptionBudget/modgate"];
    assert_eq!(s(pdb, &["spec", "selector", "matchLabels"]), labels);
    assert!(s(pdb, &["spec", "minAvailable"]).as_u64().unwrap() < 3);
    // coordination names the Redis Service and its port.
    let (host, redis_port, _) = redis_url(get(&config, "coordination", "kubernetes"));
    let redis = &k[&format!("Service/{host}")];
    assert_eq!(
        s(redis, &["spec", "ports", "0", "port"]).as_u64(),
        Some(redis_port as u64)
    );
    assert_eq!(
        s(redis, &["spec", "selector"]),
        s(
            &k[&format!("Deployment/{host}")],
            &["spec", "template", "metadata", "labels"]
        )
    );
}

fn compose(root: &Path) -> (toml::Table, Value) {
    let doc = yaml_docs(&root.join("deploy/compose.yaml")).remove(0);
    let config = toml_table(
        text(&doc, &["configs", "modgate-toml", "content"]),
        "compose.yaml",
    );
    (config, doc)
}

#[test]
fn compose_file_holds_together() {
    let root = common::workspace_root();
    let (config, doc) = compose(&root);
    let services = s(&doc, &["services"]).as_mapping().unwrap();
    let replicas: Vec<&str> = services
        .keys()
        .map(|k| k.as_str().unwrap())
        .filter(|k| k.starts_with("modgate"))
        .collect();
    assert_eq!(replicas, ["modgate1", "modgate2", "modgate3"]);
    let port = get(&config, "listen", "compose")
        .rsplit(':')
        .next()
        .unwrap();
    let nginx = text(&doc, &["configs", "nginx-conf", "content"]);
    let (redis_host, _, _) = redis_url(get(&config, "coordination", "compose"));
    assert!(services.contains_key(redis_host.as_str()), "{redis_host}");
    for r in &replicas {
        let svc = s(&doc, &["services", r]);
        // The merge key gave each replica the shared definition.
        assert_eq!(text(svc, &["image"]), "modgate:latest");
        assert!(
            nginx.contains(&format!("server {r}:{port} ")),
            "nginx balances {r}:{port}"
        );
        let health = format!("{:?}", s(svc, &["healthcheck", "test"]));
        assert!(
            health.contains(&format!("127.0.0.1:{port}/readyz")),
            "{health}"
        );
        assert_eq!(text(svc, &["configs", "0", "source"]), "modgate-toml");
        // The S3 endpoint is the garage service; garage-init made the key and bucket.
        let endpoint = text(svc, &["environment", "AWS_ENDPOINT_URL"]);
        assert!(endpoint.starts_with("http://garage:"), "{endpoint}");
        let init = s(&doc, &["services", "garage-init", "environment"]);
        assert_eq!(
            text(svc, &["environment", "AWS_ACCESS_KEY_ID"]),
            text(init, &["AWS_ACCESS_KEY_ID"])
        );
        assert_eq!(
            s(svc, &["depends_on", "garage-init", "condition"]).as_str(),
            Some("service_completed_successfully")
        );
        let bucket = get(&config, "storage", "compose")
            .strip_prefix("s3://")
            .unwrap()
            .split('/')
            .next()
            .unwrap();
        assert_eq!(text(init, &["BUCKET"]), bucket);
    }
    assert!(nginx.contains(&format!("listen {port};")));
    assert_eq!(
        text(&doc, &["services", "nginx", "ports", "0"]),
        format!("{port}:{port}")
    );
    assert!(root.join("deploy/garage-init.sh").is_file());
}

/// The modgate.toml scripts/ha-demo writes (both heredocs, with the storage part),
/// its shell variables replaced by sample values.
fn ha_demo(root: &Path) -> toml::Table {
    let script = std::fs::read_to_string(root.join("scripts/ha-demo")).unwrap();
    let mut toml_text = String::new();
    let mut lines = script.lines();
    while let Some(line) = lines.next() {
        if line.contains("/modgate.toml\" <<EOF") {
            for l in lines.by_ref() {
                if l == "EOF" {
                    break;
                }
                toml_text.push_str(l);
                toml_text.push('\n');
            }
        }
    }
    assert!(
        !toml_text.is_empty(),
        "no modgate.toml heredoc in scripts/ha-demo"
    );
    for (var, value) in [
        ("${replicas[$i]}", "127.0.0.1:3001"),
        ("$redis_port", "6379"),
        ("$backup_port", "9000"),
        ("$upstream", "https://proxy.golang.org,direct"),
        ("$sumdb", "sum.golang.org"),
        ("$dir", "/tmp/ha"),
        ("$i", "0"),
    ] {
        toml_text = toml_text.replace(var, value);
    }
    assert!(
        !toml_text.contains('$'),
        "an unreplaced variable:\n{toml_text}"
    );
    toml_table(&toml_text, "scripts/ha-demo")
}

#[test]
fn kubernetes_compose_and_ha_demo_carry_the_same_settings() {
    let root = common::workspace_root();
    let (k8s, _) = kubernetes(&root);
    let (comp, _) = compose(&root);
    let demo = ha_demo(&root);
    let all = [("kubernetes", &k8s), ("compose", &comp), ("ha-demo", &demo)];
    for key in ["lease_ttl", "storage"] {
        let values: Vec<_> = all.iter().map(|(w, t)| get(t, key, w)).collect();
        assert!(values.iter().all(|v| *v == values[0]), "{key}: {values:?}");
    }
    // A dead primary is given up on at the same pace everywhere (then the backup answers).
    let retry: Vec<_> = all
        .iter()
        .map(|(w, t)| {
            let o = t
                .get("storage_options")
                .and_then(|o| o.as_table())
                .unwrap_or_else(|| panic!("{w}: no [storage_options]"));
            (
                o.get("max_retries").cloned(),
                o.get("retry_timeout").cloned(),
            )
        })
        .collect();
    assert!(
        retry
            .iter()
            .all(|r| r.0.is_some() && r.1.is_some() && *r == retry[0]),
        "{retry:?}"
    );
    let scrub: Vec<_> = all.iter().map(|(_, t)| t.get("scrub_rate")).collect();
    assert!(
        scrub.iter().all(|v| v.is_some() && *v == scrub[0]),
        "{scrub:?}"
    );
    for (whence, t) in all {
        let (_, _, db) = redis_url(get(t, "coordination", whence));
        assert_eq!(db, "0", "{whence}");
        let backup = get(t, "backup", whence);
        assert!(
            backup.starts_with("s3://") || backup.starts_with("file:///"),
            "{whence}: backup {backup}"
        );
        assert_ne!(
            backup.split('/').nth(2),
            get(t, "storage", whence).split('/').nth(2),
            "{whence}: the backup is another bucket than the primary"
        );
        assert!(
            t.contains_key("backup_queue"),
            "{whence}: each replica's own queue"
        );
        assert!(t.contains_key("local_cache"), "{whence}");
        assert!(t.contains_key("local_cache_size"), "{whence}");
    }
    for (whence, t) in [("kubernetes", &k8s), ("compose", &comp)] {
        assert_eq!(get(t, "listen", whence), "0.0.0.0:3000", "{whence}");
        assert_eq!(get(t, "log_format", whence), "json", "{whence}");
        let (_, port, _) = redis_url(get(t, "coordination", whence));
        assert_eq!(port, 6379, "{whence}");
    }
}

/// Every key the three carry is a setting `modgate serve` takes, with a value it
/// accepts (`--print-config` reads the file as `serve` does, then stops).
#[test]
fn every_deployment_config_is_accepted_by_modgate_serve() {
    let root = common::workspace_root();
    let tmp = tempfile::tempdir().unwrap();
    let (k8s, _) = kubernetes(&root);
    let (comp, _) = compose(&root);
    for (whence, table) in [
        ("kubernetes", k8s),
        ("compose", comp),
        ("ha-demo", ha_demo(&root)),
    ] {
        let file = tmp.path().join(format!("{whence}.toml"));
        std::fs::write(&file, toml::to_string(&table).unwrap()).unwrap();
        let out = common::modgate(
            &[
                "serve",
                "--print-config",
                "--config",
                file.to_str().unwrap(),
            ],
            tmp.path(),
        );
        assert!(out.status.success(), "{whence}: {}", common::stderr(&out));
        let printed = common::stdout(&out);
        for key in ["coordination", "storage", "backup", "lease_ttl"] {
            assert!(
                printed
                    .lines()
                    .any(|l| l.starts_with(key) && l.contains(&format!("file {}", file.display()))),
                "{whence}: {key} not read from the file:\n{printed}"
            );
        }
    }
}
