//! `ifacealloc lsp`: a Language Server Protocol 3.17 server over stdio for Go
//! files, meant to run beside gopls and overlap none of its features. It
//! shows what `scan` knows per conversion: inlay hints (bytes and routine),
//! hovers (condition, why it escapes, instantiations, other Go versions),
//! code lenses per function (with the annotated assembly as a command), and
//! diagnostics only for the `--fail-on` level the user asked for.
//!
//! A package is scanned when one of its files is opened or saved, on a
//! worker thread, through Go's build cache (a warm rescan costs about a warm
//! `go build` of the package); requests are answered from the last results,
//! so a file that does not compile keeps its hints and the compiler's error
//! is shown once.

pub mod transport;
pub mod uri;
pub mod view;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::Result;
use crossbeam_channel::{Receiver, Sender};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::Notification as _;
use lsp_types::{
    CodeActionOrCommand, CodeActionParams, CodeLensOptions, CodeLensParams, Command,
    ExecuteCommandOptions, ExecuteCommandParams, Hover, HoverContents, HoverParams,
    HoverProviderCapability, InitializeParams, InlayHintParams, MessageType, OneOf, ProgressParams,
    ProgressParamsValue, PublishDiagnosticsParams, ServerCapabilities, ShowDocumentParams,
    ShowMessageParams, TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, Uri, WorkDoneProgress, WorkDoneProgressBegin,
    WorkDoneProgressCreateParams, WorkDoneProgressEnd,
};
use serde::Deserialize;

use crate::go::toolchain::Toolchain;
use crate::scan::{self, Site, Verdict};

/// Settings, from `initializationOptions` or
/// `workspace/didChangeConfiguration` (`{"ifacealloc": {...}}` or the object
/// itself). Field names are camelCase, as editors write them.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Settings {
    /// Go toolchains (`--go`'s forms); the first gives the hints, the others
    /// appear in hovers. Empty: `--go`, else `go` on PATH.
    pub go: Vec<String>,
    /// Diagnostics for sites at least this bad (`always`, `conditional`);
    /// none when unset.
    pub fail_on: Option<Verdict>,
    /// A `scan --format json` report: diagnostics only for sites new or
    /// worse than it.
    pub baseline: Option<PathBuf>,
    /// Compile for this GOARCH (`scan --arch`); the toolchain's own when unset.
    pub goarch: Option<String>,
    /// Build tags.
    pub tags: Vec<String>,
    /// Hints for conversions that never allocate too.
    pub show_never: bool,
}

impl Settings {
    fn from_value(v: serde_json::Value) -> std::result::Result<Settings, String> {
        let v = match v {
            serde_json::Value::Object(mut m) if m.contains_key("ifacealloc") => {
                m.remove("ifacealloc").unwrap_or_default()
            }
            serde_json::Value::Null => return Ok(Settings::default()),
            v => v,
        };
        serde_json::from_value(v).map_err(|e| format!("ifacealloc settings: {e}"))
    }
}

/// What the client can do that the server uses.
#[derive(Debug, Clone, Copy, Default)]
struct ClientCan {
    work_done_progress: bool,
    show_document: bool,
    refresh_inlay_hints: bool,
    refresh_code_lens: bool,
}

/// One package's last scan, on every configured toolchain.
#[derive(Debug, Default)]
struct Scanned {
    /// The toolchains' Go versions, primary first.
    versions: Vec<String>,
    /// The sites per toolchain (same order).
    sites: Vec<Vec<Site>>,
    /// Each file's text when it was scanned, by canonical path.
    texts: HashMap<PathBuf, String>,
    /// The baseline's verdict: sites new or worse than it (primary toolchain),
    /// by (file, line, column); None without a baseline.
    new_or_worse: Option<HashSet<(PathBuf, u32, u32)>>,
}

struct State {
    settings: Settings,
    default_go: Option<String>,
    toolchains: Vec<Toolchain>,
    packages: HashMap<PathBuf, Scanned>,
    open: BTreeSet<PathBuf>,
    /// Errors already shown, so a file that keeps failing says so once.
    shown_errors: HashSet<String>,
    can: ClientCan,
    /// The progress token of the scan running now, and whether the user
    /// cancelled it (`window/workDoneProgress/cancel`).
    running: Option<(
        lsp_types::NumberOrString,
        Arc<std::sync::atomic::AtomicBool>,
    )>,
}

/// Messages to the client, with ids for the server's own requests.
#[derive(Clone)]
struct Client {
    sender: Sender<Message>,
    next_id: Arc<AtomicU64>,
}

impl Client {
    fn notify<N: lsp_types::notification::Notification>(&self, params: N::Params) {
        let _ = self.sender.send(Message::Notification(Notification::new(
            N::METHOD.to_string(),
            params,
        )));
    }

    fn request<R: lsp_types::request::Request>(&self, params: R::Params) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let _ = self.sender.send(Message::Request(Request::new(
            RequestId::from(format!("ifacealloc-{id}")),
            R::METHOD.to_string(),
            params,
        )));
    }

    fn respond(&self, r: Response) {
        let _ = self.sender.send(Message::Response(r));
    }

    fn show(&self, typ: MessageType, message: String) {
        self.notify::<lsp_types::notification::ShowMessage>(ShowMessageParams { typ, message });
    }
}

/// Runs the server on stdio until the client says `exit` (or the input ends).
pub fn serve(default_go: Option<&str>) -> Result<()> {
    let (server, client) = Connection::memory();
    transport::stdio(client.sender, client.receiver);
    run(server, default_go)
}

/// Runs the server on a connection.
pub fn run(conn: Connection, default_go: Option<&str>) -> Result<()> {
    let (id, params) = conn.initialize_start().map_err(|e| {
        crate::cli::error::UsageError::new(format!(
            "lsp: no `initialize` request on stdin ({e}); an editor starts `ifacealloc lsp` and speaks the Language Server Protocol to it"
        ))
    })?;
    let init: InitializeParams = serde_json::from_value(params)?;
    let settings = match init.initialization_options.clone() {
        Some(v) => Settings::from_value(v),
        None => Ok(Settings::default()),
    };
    let caps = &init.capabilities;
    let can = ClientCan {
        work_done_progress: caps
            .window
            .as_ref()
            .and_then(|w| w.work_done_progress)
            .unwrap_or(false),
        show_document: caps
            .window
            .as_ref()
            .and_then(|w| w.show_document.as_ref())
            .is_some_and(|s| s.support),
        refresh_inlay_hints: caps
            .workspace
            .as_ref()
            .and_then(|w| w.inlay_hint.as_ref())
            .and_then(|i| i.refresh_support)
            .unwrap_or(false),
        refresh_code_lens: caps
            .workspace
            .as_ref()
            .and_then(|w| w.code_lens.as_ref())
            .and_then(|c| c.refresh_support)
            .unwrap_or(false),
    };
    conn.initialize_finish(
        id,
        serde_json::json!({
            "capabilities": capabilities(),
            "serverInfo": { "name": "ifacealloc", "version": env!("CARGO_PKG_VERSION") },
        }),
    )?;
    let client = Client {
        sender: conn.sender.clone(),
        next_id: Arc::new(AtomicU64::new(1)),
    };
    let settings = settings.unwrap_or_else(|e| {
        client.show(MessageType::ERROR, e);
        Settings::default()
    });
    let state = Arc::new(Mutex::new(State {
        toolchains: Vec::new(),
        settings,
        default_go: default_go.map(str::to_string),
        packages: HashMap::new(),
        open: BTreeSet::new(),
        shown_errors: HashSet::new(),
        can,
        running: None,
    }));
    load_toolchains(&state, &client);
    let (jobs, queue) = crossbeam_channel::unbounded::<PathBuf>();
    let worker = {
        let (state, client) = (state.clone(), client.clone());
        std::thread::spawn(move || work(queue, &state, &client))
    };
    for msg in &conn.receiver {
        match msg {
            Message::Request(req) => {
                if conn.handle_shutdown(&req)? {
                    break;
                }
                let id = req.id.clone();
                let response = match answer(req, &state, &client) {
                    Ok(r) => r,
                    Err(e) => Response::new_err(id, ErrorCode::RequestFailed as i32, e.to_string()),
                };
                client.respond(response);
            }
            Message::Notification(n) => {
                if n.method == lsp_types::notification::Exit::METHOD {
                    break;
                }
                on_notification(n, &state, &client, &jobs);
            }
            // Answers to the server's own requests (refresh, progress,
            // showDocument) need nothing.
            Message::Response(_) => {}
        }
    }
    drop(jobs);
    let _ = worker.join();
    Ok(())
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::NONE),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..Default::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        inlay_hint_provider: Some(OneOf::Left(true)),
        code_lens_provider: Some(CodeLensOptions {
            resolve_provider: Some(false),
        }),
        code_action_provider: Some(lsp_types::CodeActionProviderCapability::Simple(true)),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: vec![view::SHOW_ASSEMBLY.to_string()],
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Resolves the configured toolchains (said once when they cannot be).
fn load_toolchains(state: &Arc<Mutex<State>>, client: &Client) {
    let (spec, goarch) = {
        let st = state.lock().expect("state");
        let spec = if st.settings.go.is_empty() {
            st.default_go.clone()
        } else {
            Some(st.settings.go.join(","))
        };
        (spec, st.settings.goarch.clone())
    };
    let resolved = Toolchain::resolve(spec.as_deref()).and_then(|tcs| match &goarch {
        Some(a) => tcs.iter().map(|t| t.targeting(a)).collect(),
        None => Ok(tcs),
    });
    match resolved {
        Ok(tcs) => state.lock().expect("state").toolchains = tcs,
        Err(e) => client.show(MessageType::ERROR, format!("ifacealloc: {e}")),
    }
}

/// The directory of a document's package, and the document's canonical path.
fn document(uri: &Uri) -> Option<(PathBuf, PathBuf)> {
    let path = uri::to_path(uri)?;
    if path.extension().is_none_or(|e| e != "go") {
        return None;
    }
    let path = std::fs::canonicalize(&path).unwrap_or(path);
    Some((path.parent()?.to_path_buf(), path))
}

fn on_notification(
    n: Notification,
    state: &Arc<Mutex<State>>,
    client: &Client,
    jobs: &Sender<PathBuf>,
) {
    use lsp_types::notification::*;
    match n.method.as_str() {
        DidOpenTextDocument::METHOD => {
            let Ok(p) =
                n.extract::<lsp_types::DidOpenTextDocumentParams>(DidOpenTextDocument::METHOD)
            else {
                return;
            };
            if let Some((dir, path)) = document(&p.text_document.uri) {
                let mut st = state.lock().expect("state");
                st.open.insert(path.clone());
                if st.packages.contains_key(&dir) {
                    // Unchanged since the last scan: its results stand.
                    publish(&st, client, &dir);
                } else {
                    let _ = jobs.send(dir);
                }
            }
        }
        DidSaveTextDocument::METHOD => {
            if let Ok(p) =
                n.extract::<lsp_types::DidSaveTextDocumentParams>(DidSaveTextDocument::METHOD)
            {
                if let Some((dir, _)) = document(&p.text_document.uri) {
                    let _ = jobs.send(dir);
                }
            }
        }
        DidCloseTextDocument::METHOD => {
            if let Ok(p) =
                n.extract::<lsp_types::DidCloseTextDocumentParams>(DidCloseTextDocument::METHOD)
            {
                if let Some((_, path)) = document(&p.text_document.uri) {
                    state.lock().expect("state").open.remove(&path);
                }
            }
        }
        WorkDoneProgressCancel::METHOD => {
            let Ok(p) = n
                .extract::<lsp_types::WorkDoneProgressCancelParams>(WorkDoneProgressCancel::METHOD)
            else {
                return;
            };
            let st = state.lock().expect("state");
            if let Some((token, cancelled)) = &st.running {
                if *token == p.token {
                    cancelled.store(true, Ordering::SeqCst);
                    // The scan's go commands end now, and any it starts next
                    // (a failed `go list` is followed by a `go build` for the
                    // compiler's message) until the scan gives up; the worker
                    // knows the error it returns to be the cancel.
                    let state = state.clone();
                    std::thread::spawn(move || loop {
                        let still = state
                            .lock()
                            .expect("state")
                            .running
                            .as_ref()
                            .is_some_and(|(t, _)| *t == p.token);
                        if !still {
                            break;
                        }
                        crate::cli::interrupt::kill_children();
                        std::thread::sleep(std::time::Duration::from_millis(50));
                    });
                }
            }
        }
        DidChangeConfiguration::METHOD => {
            let Ok(p) = n
                .extract::<lsp_types::DidChangeConfigurationParams>(DidChangeConfiguration::METHOD)
            else {
                return;
            };
            match Settings::from_value(p.settings) {
                Ok(s) => {
                    let dirs: BTreeSet<PathBuf> = {
                        let mut st = state.lock().expect("state");
                        if st.settings == s {
                            return;
                        }
                        st.settings = s;
                        st.packages.clear();
                        st.open
                            .iter()
                            .filter_map(|p| p.parent().map(Path::to_path_buf))
                            .collect()
                    };
                    load_toolchains(state, client);
                    for d in dirs {
                        let _ = jobs.send(d);
                    }
                }
                Err(e) => client.show(MessageType::ERROR, e),
            }
        }
        _ => {}
    }
}

/// The worker: scans packages as they are asked for, newest ask first
/// coalesced (several saves of one package scan it once).
fn work(queue: Receiver<PathBuf>, state: &Arc<Mutex<State>>, client: &Client) {
    let progress = AtomicU64::new(0);
    while let Ok(first) = queue.recv() {
        let mut dirs = vec![first];
        while let Ok(more) = queue.try_recv() {
            if !dirs.contains(&more) {
                dirs.push(more);
            }
        }
        for dir in dirs {
            let (tcs, settings, can) = {
                let st = state.lock().expect("state");
                (st.toolchains.clone(), st.settings.clone(), st.can)
            };
            if tcs.is_empty() {
                continue;
            }
            let token = can.work_done_progress.then(|| {
                let token = lsp_types::NumberOrString::String(format!(
                    "ifacealloc-scan-{}",
                    progress.fetch_add(1, Ordering::Relaxed)
                ));
                client.request::<lsp_types::request::WorkDoneProgressCreate>(
                    WorkDoneProgressCreateParams {
                        token: token.clone(),
                    },
                );
                client.notify::<lsp_types::notification::Progress>(ProgressParams {
                    token: token.clone(),
                    value: ProgressParamsValue::WorkDone(WorkDoneProgress::Begin(
                        WorkDoneProgressBegin {
                            title: "ifacealloc".into(),
                            message: Some(format!("scanning {}", dir.display())),
                            cancellable: Some(true),
                            percentage: None,
                        },
                    )),
                });
                token
            });
            let cancelled = Arc::new(std::sync::atomic::AtomicBool::new(false));
            if let Some(t) = &token {
                state.lock().expect("state").running = Some((t.clone(), cancelled.clone()));
            }
            let result = scan_package(&dir, &tcs, &settings);
            let was_cancelled = cancelled.load(Ordering::SeqCst);
            state.lock().expect("state").running = None;
            if let Some(token) = token {
                client.notify::<lsp_types::notification::Progress>(ProgressParams {
                    token,
                    value: ProgressParamsValue::WorkDone(WorkDoneProgress::End(
                        WorkDoneProgressEnd {
                            message: was_cancelled.then(|| "cancelled".to_string()),
                        },
                    )),
                });
            }
            let mut st = state.lock().expect("state");
            match result {
                // Cancelled: the last results stay, nothing to say.
                Err(_) if was_cancelled => {}
                Ok(scanned) => {
                    st.packages.insert(dir.clone(), scanned);
                    publish(&st, client, &dir);
                    if st.can.refresh_inlay_hints {
                        client.request::<lsp_types::request::InlayHintRefreshRequest>(());
                    }
                    if st.can.refresh_code_lens {
                        client.request::<lsp_types::request::CodeLensRefresh>(());
                    }
                }
                Err(e) => {
                    // The last results stay; the error is said once.
                    let text = format!("ifacealloc: {}: {e:#}", dir.display());
                    if st.shown_errors.insert(text.clone()) {
                        client.show(MessageType::ERROR, text);
                    }
                }
            }
        }
    }
}

/// Scans one package directory on every toolchain.
fn scan_package(dir: &Path, tcs: &[Toolchain], settings: &Settings) -> Result<Scanned> {
    let opts = scan::Options {
        tags: settings.tags.clone(),
        ..Default::default()
    };
    let mut out = Scanned::default();
    for tc in tcs {
        let (mut sites, _) = scan::scan(tc, dir, &[".".to_string()], &opts)?;
        // Canonical paths, once: documents are looked up by theirs.
        for s in &mut sites {
            s.abs_file = canonical(&s.abs_file);
        }
        out.versions.push(tc.goversion.clone());
        out.sites.push(sites);
    }
    for s in out.sites.iter().flatten() {
        let path = s.abs_file.clone();
        if let std::collections::hash_map::Entry::Vacant(e) = out.texts.entry(path) {
            if let Ok(t) = std::fs::read_to_string(e.key()) {
                e.insert(t);
            }
        }
    }
    if let (Some(b), Some(primary)) = (&settings.baseline, out.sites.first()) {
        let known = scan::baseline::read(b)?;
        out.new_or_worse = Some(
            scan::baseline::new_or_worse(primary.clone(), &known)
                .into_iter()
                .map(|s| (s.abs_file, s.line, s.column))
                .collect(),
        );
    }
    Ok(out)
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

impl Scanned {
    /// The primary toolchain's sites in `path`.
    fn sites_in(&self, path: &Path) -> Vec<&Site> {
        self.sites
            .first()
            .map(|v| v.iter().filter(|s| s.abs_file == path).collect())
            .unwrap_or_default()
    }

    /// The same site on each toolchain, by file, line, column and type.
    fn versions_of(&self, s: &Site) -> Vec<(String, Option<&Site>)> {
        self.versions
            .iter()
            .zip(&self.sites)
            .map(|(v, sites)| {
                let same = sites.iter().find(|o| {
                    o.abs_file == s.abs_file
                        && o.line == s.line
                        && o.column == s.column
                        && o.type_name == s.type_name
                });
                (v.clone(), same)
            })
            .collect()
    }
}

/// Publishes the diagnostics of the open files of `dir`'s package.
fn publish(st: &State, client: &Client, dir: &Path) {
    let Some(scanned) = st.packages.get(dir) else {
        return;
    };
    for path in st.open.iter().filter(|p| p.parent() == Some(dir)) {
        let Some(uri) = uri::from_path(path) else {
            continue;
        };
        let text = scanned.texts.get(path).map(String::as_str).unwrap_or("");
        let mut sites = scanned.sites_in(path);
        if let Some(keep) = &scanned.new_or_worse {
            sites.retain(|s| keep.contains(&(path.clone(), s.line, s.column)));
        }
        let diagnostics = view::diagnostics(&sites, &view::Text::new(text), st.settings.fail_on);
        client.notify::<lsp_types::notification::PublishDiagnostics>(PublishDiagnosticsParams {
            uri,
            diagnostics,
            version: None,
        });
    }
}

/// Answers one request from the last results.
fn answer(req: Request, state: &Arc<Mutex<State>>, client: &Client) -> Result<Response> {
    use lsp_types::request::*;
    let id = req.id.clone();
    let st = state.lock().expect("state");
    let lookup = |uri: &Uri| -> Option<(&Scanned, PathBuf)> {
        let (dir, path) = document(uri)?;
        Some((st.packages.get(&dir)?, path))
    };
    Ok(match req.method.as_str() {
        InlayHintRequest::METHOD => {
            let p: InlayHintParams = serde_json::from_value(req.params)?;
            let hints = lookup(&p.text_document.uri).map(|(sc, path)| {
                let text = view::Text::new(sc.texts.get(&path).map(String::as_str).unwrap_or(""));
                view::inlay_hints(&sc.sites_in(&path), &text, st.settings.show_never)
                    .into_iter()
                    .filter(|h| {
                        h.position.line >= p.range.start.line && h.position.line <= p.range.end.line
                    })
                    .collect::<Vec<_>>()
            });
            Response::new_ok(id, hints.unwrap_or_default())
        }
        HoverRequest::METHOD => {
            let p: HoverParams = serde_json::from_value(req.params)?;
            let pos = p.text_document_position_params.position;
            let hover = lookup(&p.text_document_position_params.text_document.uri).and_then(
                |(sc, path)| {
                    let text =
                        view::Text::new(sc.texts.get(&path).map(String::as_str).unwrap_or(""));
                    let site = sc.sites_in(&path).into_iter().find(|s| {
                        let r = text.range(s);
                        r.start <= pos && pos <= r.end
                    })?;
                    Some(Hover {
                        contents: HoverContents::Markup(view::hover(site, &sc.versions_of(site))),
                        range: Some(text.range(site)),
                    })
                },
            );
            Response::new_ok(id, hover)
        }
        CodeLensRequest::METHOD => {
            let p: CodeLensParams = serde_json::from_value(req.params)?;
            let lenses = lookup(&p.text_document.uri).map(|(sc, path)| {
                let text = sc.texts.get(&path).map(String::as_str).unwrap_or("");
                view::code_lenses(&sc.sites_in(&path), &path, text, &p.text_document.uri)
            });
            Response::new_ok(id, lenses.unwrap_or_default())
        }
        CodeActionRequest::METHOD => {
            let p: CodeActionParams = serde_json::from_value(req.params)?;
            let actions = lookup(&p.text_document.uri).map(|(sc, path)| {
                let text = view::Text::new(sc.texts.get(&path).map(String::as_str).unwrap_or(""));
                let mut targets: Vec<String> = sc
                    .sites_in(&path)
                    .into_iter()
                    .filter(|s| {
                        let r = text.range(s);
                        r.start.line <= p.range.end.line && p.range.start.line <= r.end.line
                    })
                    .map(|s| view::asm_target(&s.function))
                    .collect();
                targets.dedup();
                targets
                    .into_iter()
                    .map(|t| {
                        CodeActionOrCommand::Command(Command {
                            title: format!("Show the assembly of {t} (ifacealloc)"),
                            command: view::SHOW_ASSEMBLY.to_string(),
                            arguments: Some(vec![
                                serde_json::Value::String(p.text_document.uri.as_str().to_string()),
                                serde_json::Value::String(t),
                            ]),
                        })
                    })
                    .collect::<Vec<_>>()
            });
            Response::new_ok(id, actions.unwrap_or_default())
        }
        ExecuteCommand::METHOD => {
            let p: ExecuteCommandParams = serde_json::from_value(req.params)?;
            let tc = st.toolchains.first().cloned();
            let can = st.can;
            drop(st);
            return show_assembly(id, p, tc, can, client);
        }
        _ => Response::new_err(
            id,
            ErrorCode::MethodNotFound as i32,
            format!("ifacealloc does not answer {}", req.method),
        ),
    })
}

/// `ifacealloc.showAssembly URI FUNC`: the function's annotated listing,
/// opened as a document when the client can (else returned as text).
fn show_assembly(
    id: RequestId,
    p: ExecuteCommandParams,
    tc: Option<Toolchain>,
    can: ClientCan,
    client: &Client,
) -> Result<Response> {
    let bad = |m: &str| {
        Ok(Response::new_err(
            id.clone(),
            ErrorCode::InvalidParams as i32,
            m.to_string(),
        ))
    };
    if p.command != view::SHOW_ASSEMBLY {
        return bad("unknown command");
    }
    let (Some(serde_json::Value::String(u)), Some(serde_json::Value::String(func))) =
        (p.arguments.first(), p.arguments.get(1))
    else {
        return bad("expected arguments [file URI, function]");
    };
    let Some(path) = u.parse::<Uri>().ok().as_ref().and_then(uri::to_path) else {
        return bad("the first argument is not a file URI");
    };
    let Some(tc) = tc else {
        return bad("no Go toolchain");
    };
    let text = scan::assembly::render(&tc, &path, func, None)?;
    if !can.show_document {
        return Ok(Response::new_ok(id, text));
    }
    let dir = crate::go::toolchain::cache_dir()
        .map(|d| d.join("lsp"))
        .ok_or_else(|| anyhow::anyhow!("no cache directory for the listing"))?;
    std::fs::create_dir_all(&dir)?;
    let name: String = func
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '_' })
        .collect();
    let file = dir.join(format!("{name}.s"));
    crate::cli::output::write_cache(&file, text.as_bytes());
    if let Some(uri) = uri::from_path(&file) {
        client.request::<lsp_types::request::ShowDocument>(ShowDocumentParams {
            uri,
            external: Some(false),
            take_focus: Some(true),
            selection: None,
        });
    }
    Ok(Response::new_ok(id, serde_json::Value::Null))
}
