"""ifacealloc's language server driven by pytest-lsp (PyPI), impersonating
the capabilities of real editors it records (VS Code, Neovim, Emacs): the
hints, hover and lenses must be scan's answers for the fixture, and the server
must respect what each client says it supports (pytest-lsp checks that).

Run by tests/lsp_clients.rs with IFACEALLOC_BIN (the binary) and
IFACEALLOC_SCAN_JSON (`scan --format json` of the fixture) set."""

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


def expected_hints():
    sites = json.loads(os.environ["IFACEALLOC_SCAN_JSON"])
    out = []
    for s in sites:
        if s["verdict"] not in ("always", "conditional"):
            continue
        cond = {"convT16": " <256:0", "convT32": " <256:0", "convT64": " <256:0",
                "convTstring": ' "":0', "convTslice": " nil:0"}.get(s["routine"], "")
        b = s["bytes"]
        b = int(b) if b == int(b) else b
        label = f"{b} B {s['routine']}" + (cond if s["verdict"] == "conditional" else "")
        out.append((s["end_line"] - 1, label))
    return sorted(out)


@pytest.mark.asyncio
async def test_hints_hover_lenses_and_diagnostics(client: LanguageClient):
    uri = FIXTURE.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="go", version=1, text=FIXTURE.read_text()
            )
        )
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    diagnostics = client.diagnostics[uri]
    assert [d.range.start.line for d in diagnostics] == [12]
    assert diagnostics[0].message.endswith("escapes: returned from New")

    hints = await client.text_document_inlay_hint_async(
        types.InlayHintParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(0, 0), end=types.Position(1000, 0)),
        )
    )
    assert sorted((h.position.line, h.label) for h in hints) == expected_hints()

    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=8, character=57),
        )
    )
    assert "passed to fmt.Sprintf's ... parameter, which leaks to the heap" in hover.contents.value

    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert sorted(l.command.arguments[1] for l in lenses) == [
        "Chan", "Closure", "Map", "New", "Print", "Slice", "Store"
    ]
