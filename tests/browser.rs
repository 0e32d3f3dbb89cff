//! The dashboard in real headless Chromium, driven over WebDriver (chromedriver + fantoccini):
//! what a person does with it, clicked through. Debian's `chromium` and `chromium-driver` are
//! needed; `.ci/run` installs them, and these tests are ignored (visibly) where they are missing.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::common::{Sandbox, eventually, stdout};
use crate::dashboard::{DEPLOY, Dashboard};

const NEEDS: &str = "needs Chromium and chromedriver (Debian chromium, chromium-driver; .ci/run installs them)";

/// One browser at a time: two Chromiums on a 2-core machine slow everything else down.
static BROWSER: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// chromedriver on a free port, with a headless Chromium session; both end when dropped.
struct Browser {
    driver: Child,
    client: Option<Client>,
    runtime: tokio::runtime::Runtime,
    _profile: tempfile::TempDir,
    _turn: std::sync::MutexGuard<'static, ()>,
}

impl Browser {
    fn start() -> Browser {
        let turn = BROWSER.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let driver_path = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())
            .unwrap_or_else(|| panic!("this test {NEEDS}"));
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new(driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let up = eventually(Duration::from_secs(20), || std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());
        assert!(up, "chromedriver did not start");
        let profile = tempfile::tempdir().unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": "/usr/bin/chromium",
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                         "--no-first-run", "--disable-background-networking", "--disable-component-update",
                         "--disable-sync", "--window-size=1280,1000",
                         format!("--user-data-dir={}", profile.path().display())],
            }),
        );
        let client = runtime
            .block_on(
                ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                    .capabilities(capabilities)
                    .connect(&format!("http://127.0.0.1:{port}")),
            )
            .expect("a Chromium session");
        Browser { driver, client: Some(client), runtime, _profile: profile, _turn: turn }
    }

    fn client(&self) -> &Client {
        self.client.as_ref().expect("session")
    }

    fn run<T>(&self, future: impl std::future::Future<Output = Result<T, fantoccini::error::CmdError>>) -> T {
        self.runtime.block_on(future).unwrap_or_else(|e| panic!("browser: {e}"))
    }

    fn goto(&self, url: &str) {
        self.run(self.client().goto(url));
    }

    /// Waits (up to 30 s) for an element to appear and returns its text. A page that reloads
    /// while it is read (a run's page does when the run ends) is read again.
    fn text_of(&self, css: &str) -> String {
        self.with_element(css, |element| Box::pin(async move { element.text().await }))
    }

    fn click(&self, css: &str) {
        self.with_element(css, |element| Box::pin(async move { element.click().await.map(|_| ()) }));
    }

    fn fill(&self, css: &str, value: &str) {
        let value = value.to_string();
        self.with_element(css, move |element| {
            let value = value.clone();
            Box::pin(async move {
                element.clear().await?;
                element.send_keys(&value).await
            })
        });
    }

    fn with_element<T>(
        &self,
        css: &str,
        act: impl Fn(
            fantoccini::elements::Element,
        )
            -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, fantoccini::error::CmdError>>>>,
    ) -> T {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let attempt = self.runtime.block_on(async {
                let element = self.client().find(Locator::Css(css)).await?;
                act(element).await
            });
            match attempt {
                Ok(value) => return value,
                Err(error) if std::time::Instant::now() > deadline => panic!("browser, at `{css}`: {error}"),
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }

    /// Waits until the page's path starts with `prefix`.
    fn wait_for_path(&self, prefix: &str) {
        let arrived = eventually(Duration::from_secs(30), || self.path().starts_with(prefix));
        assert!(arrived, "never reached {prefix}: at {}", self.path());
    }

    fn path(&self) -> String {
        self.run(self.client().current_url()).path().to_string()
    }

    /// Saves what the page looks like, for a person to look at (`ALPHA_TEST_SCREENSHOTS=DIR`).
    fn screenshot(&self, name: &str) {
        if let Ok(dir) = std::env::var("ALPHA_TEST_SCREENSHOTS") {
            let png = self.run(self.client().screenshot());
            let _ = std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png);
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            let _ = self.runtime.block_on(client.close());
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

#[test]
#[ignore = "needs Chromium and chromedriver (Debian chromium, chromium-driver; .ci/run installs them)"]
fn in_the_browser_a_run_started_from_the_form_is_watched_to_completed() {
    let sandbox = Sandbox::new();
    sandbox.save("deploy.yaml", &DEPLOY.replace("echo lint ok", "sleep 1; echo lint ok"));
    let web = Dashboard::start(&sandbox);
    let browser = Browser::start();
    browser.goto(&web.url());
    assert_eq!(browser.path(), "/", "the token in the URL is exchanged for a cookie and dropped");
    assert!(browser.text_of("#workflows tr[data-workflow='Deploy']").contains("Pull, check and ship"));
    browser.screenshot("workflows");
    browser.click("#workflows a[href='/workflows/Deploy']");
    browser.wait_for_path("/workflows/Deploy");
    assert!(browser.text_of("h1").starts_with("Deploy"));
    assert!(browser.text_of("svg.graph g[data-step='ship']").contains("ship"), "the graph shows the steps");
    browser.fill("#param-branch", "feature/login");
    browser.fill("#param-copies", "2");
    browser.click("#param-target");
    browser.click("#param-target option[value='prod']");
    browser.screenshot("workflow");
    browser.click("form.run-form button[type=submit]");
    // The run's page follows it live, then shows the record.
    browser.wait_for_path("/runs/");
    browser.text_of("#run[data-status='completed']:not([data-live])");
    assert!(browser.text_of("#run-status").contains("completed"));
    assert!(browser.text_of("tr[data-step='ship'][data-status='success']").contains("ship"));
    browser.click("tr[data-step='pull'] summary");
    assert_eq!(browser.text_of("tr[data-step='pull'] pre.stdout").trim(), "pulling feature/login x2");
    assert!(browser.text_of("svg.timeline").contains("lint"), "the timeline has a bar per step");
    browser.screenshot("run");
    let runs: serde_json::Value =
        serde_json::from_str(&stdout(&sandbox.run(&["workflow", "history", "Deploy", "--json"]))).unwrap();
    assert_eq!(runs[0]["parameters"]["target"], "prod");
    assert_eq!(runs[0]["status"], "completed");
}

#[test]
#[ignore = "needs Chromium and chromedriver (Debian chromium, chromium-driver; .ci/run installs them)"]
fn in_the_browser_a_failed_run_shows_its_failing_steps_output() {
    let sandbox = Sandbox::new();
    sandbox.save(
        "check.yaml",
        "name: Check\nsteps:\n  - {id: build, tool: shell, action: run, parameters: {command: \"echo built\"}}\n  - {id: verify, tool: shell, action: run, parameters: {command: \"echo 'disk almost full: 97%' >&2; exit 4\"}}\n",
    );
    assert_eq!(sandbox.run(&["workflow", "run", "Check"]).status.code(), Some(1));
    let web = Dashboard::start(&sandbox);
    let browser = Browser::start();
    browser.goto(&web.url());
    browser.click("header nav a[href='/runs']");
    browser.wait_for_path("/runs");
    browser.click("#runs-grid tr[data-status='failed'] td:first-child a");
    browser.wait_for_path("/runs/");
    assert!(browser.text_of("#run-status").contains("failed"));
    let failing = browser.text_of("tr[data-step='verify'][data-status='failed'] pre.stderr");
    assert!(failing.contains("disk almost full: 97%"), "{failing}");
    assert!(browser.text_of("tr[data-step='verify'] td:nth-child(5)").contains('4'), "its exit code");
    browser.text_of("button#resume");
    browser.screenshot("failed-run");
}

#[test]
#[ignore = "needs Chromium and chromedriver (Debian chromium, chromium-driver; .ci/run installs them)"]
fn in_the_browser_a_suggestion_is_accepted_under_a_name() {
    let sandbox = Sandbox::new();
    let mut history = String::new();
    let mut t = 1_795_000_000;
    for day in 0..5 {
        for command in ["git status", "git pull origin main", "pytest -q", "ls", &format!("vim notes-{day}.md")] {
            history.push_str(&format!("#{t}\n{command}\n"));
            t += 15;
        }
        t += 43_200;
    }
    sandbox.write(".bash_history", &history);
    let web = Dashboard::start(&sandbox);
    let browser = Browser::start();
    browser.goto(&web.url());
    browser.click("header nav a[href='/suggestions']");
    browser.wait_for_path("/suggestions");
    assert!(browser.text_of("#suggestions li[data-suggestion='1'] pre").contains("git pull origin main"));
    browser.fill("#suggestions li[data-suggestion='1'] input[name='name']", "Sync and Test");
    browser.screenshot("suggestions");
    browser.click("#suggestions li[data-suggestion='1'] button.primary");
    browser.wait_for_path("/workflows/");
    assert_eq!(browser.path(), "/workflows/Sync%20and%20Test");
    assert!(browser.text_of("h1").starts_with("Sync and Test"));
    let listed = stdout(&sandbox.run(&["workflow", "list"]));
    assert!(listed.contains("Sync and Test"), "{listed}");
}
