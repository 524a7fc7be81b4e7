"""ifacealloc's language server driven by pytest-lsp (PyPI), impersonating
the capabilities of real editors it records (VS Code, Neovim, Emacs): the
hints, hover, lenses and the lens's assembly must be scan's answers for a
fixture and for a published module's file, and the server must respect what
each client says it supports (pytest-lsp checks that).

Run by tests/lsp_clients.rs with IFACEALLOC_BIN (the binary),
IFACEALLOC_SCAN_JSON (`scan --format json` of the fixture), IFACEALLOC_UUID_DIR
(a copy of github.com/google/uuid v1.6.0) and IFACEALLOC_UUID_SCAN_JSON (its
scan) set."""

import json
import os
import pathlib

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

FIXTURE = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "scan" / "why" / "why.go"


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[os.environ["IFACEALLOC_BIN"], "lsp"]),
    params=["visual-studio-code", "neovim@v0.10.0", "emacs"],
)
async def client(request, lsp_client: LanguageClient):
    # What the real editors do on the server's refresh requests: ask again.
    # (pytest-lsp's client has no handler of its own for these.)
    refreshed = []

    @lsp_client.feature(types.WORKSPACE_INLAY_HINT_REFRESH)
    def inlay_hint_refresh(params):
        refreshed.append("inlayHint")

    @lsp_client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
    def code_lens_refresh(params):
        refreshed.append("codeLens")

    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(request.param),
            initialization_options={"failOn": "always"},
        )
    )
    yield
    await lsp_client.shutdown_session()


# What each target opens and expects: a fixture of ours, and a published
# module's file (github.com/google/uuid v1.6.0, copied by tests/lsp_clients.rs).
TARGETS = {
    "fixture": dict(
        file=lambda: FIXTURE,
        scan="IFACEALLOC_SCAN_JSON",
        diagnostics=[12],
        diagnostic_end="escapes: returned from New",
        hover=(8, 57),
        why="passed to fmt.Sprintf's ... parameter, which leaks to the heap",
        asm_func="Store",
        asm_call="runtime.convT64(SB)",
    ),
    "uuid": dict(
        file=lambda: pathlib.Path(os.environ["IFACEALLOC_UUID_DIR"]) / "null.go",
        scan="IFACEALLOC_UUID_SCAN_JSON",
        diagnostics=[102],
        diagnostic_end="escapes: passed to json.Marshal, which leaks to the heap",
        hover=(102, 24),
        why="passed to json.Marshal, which leaks to the heap",
        asm_func="NullUUID.MarshalJSON",
        asm_call="runtime.convTnoptr(SB)",
    ),
}


def expected(target, file_name):
    """The hints and the lens functions scan's report gives for a file."""
    sites = [s for s in json.loads(os.environ[TARGETS[target]["scan"]])
             if s["file"].endswith(file_name) and s["verdict"] in ("always", "conditional")]
    hints = []
    for s in sites:
        cond = {"convT16": " <256:0", "convT32": " <256:0", "convT64": " <256:0",
                "convTstring": ' "":0', "convTslice": " nil:0"}.get(s["routine"], "")
        b = s["bytes"]
        b = int(b) if b == int(b) else b
        label = f"{b} B {s['routine']}" + (cond if s["verdict"] == "conditional" else "")
        hints.append((s["end_line"] - 1, label))
    return sorted(hints), len({s["function"] for s in sites})


@pytest.mark.asyncio
@pytest.mark.parametrize("target", sorted(TARGETS))
async def test_hints_hover_lenses_assembly_and_diagnostics(client: LanguageClient, target):
    t = TARGETS[target]
    path = t["file"]()
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="go", version=1, text=path.read_text()
            )
        )
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    diagnostics = client.diagnostics[uri]
    assert [d.range.start.line for d in diagnostics] == t["diagnostics"]
    assert diagnostics[0].message.endswith(t["diagnostic_end"]), diagnostics[0].message

    want_hints, want_lenses = expected(target, path.name)
    hints = await client.text_document_inlay_hint_async(
        types.InlayHintParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(0, 0), end=types.Position(1000, 0)),
        )
    )
    assert sorted((h.position.line, h.label) for h in hints) == want_hints

    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(*t["hover"]),
        )
    )
    assert t["why"] in hover.contents.value

    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert len(lenses) == want_lenses
    if target == "fixture":
        assert sorted(l.command.arguments[1] for l in lenses) == [
            "Chan", "Closure", "Map", "New", "Print", "Slice", "Store"
        ]

    # The lens's command, run as the editor runs it: the annotated listing
    # comes back as the result, or in a document the server asks to show.
    lens = next(l for l in lenses if l.command.arguments[1] == t["asm_func"])
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=lens.command.command,
                                   arguments=lens.command.arguments)
    )
    if client.shown_documents:
        shown = client.shown_documents[-1].uri
        listing = pathlib.Path(shown.removeprefix("file://")).read_text()
    else:
        listing = result
    assert t["asm_call"] in listing and "<- conv" in listing, listing
