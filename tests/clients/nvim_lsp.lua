-- Neovim's built-in LSP client (Debian's nvim, 0.7 or newer) against
-- `ifacealloc lsp`: opens a Go file, waits for the server's diagnostics, asks
-- for inlay hints, a hover and code lenses, runs the lens of one function (its
-- annotated assembly), and writes what it received as JSON for
-- tests/lsp_clients.rs. Environment: IFACEALLOC_BIN, GO_FILE, HOVER_LINE,
-- HOVER_CHAR (0-based), ASM_FUNC (a lens's function), OUT.
local function run()
  local file = os.getenv("GO_FILE")
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  local id = vim.lsp.start_client({
    name = "ifacealloc",
    cmd = { os.getenv("IFACEALLOC_BIN"), "lsp" },
    root_dir = vim.fn.fnamemodify(file, ":h"),
    init_options = { failOn = "always" },
  })
  vim.lsp.buf_attach_client(buf, id)
  local published = vim.wait(240000, function()
    return #vim.diagnostic.get(buf) > 0
  end, 100)
  local client = vim.lsp.get_client_by_id(id)
  local doc = vim.lsp.util.make_text_document_params(buf)
  local hints = client.request_sync("textDocument/inlayHint", {
    textDocument = doc,
    range = { start = { line = 0, character = 0 }, ["end"] = { line = 100000, character = 0 } },
  }, 60000, buf)
  local hover = client.request_sync("textDocument/hover", {
    textDocument = doc,
    position = { line = tonumber(os.getenv("HOVER_LINE")), character = tonumber(os.getenv("HOVER_CHAR")) },
  }, 60000, buf)
  local lenses = client.request_sync("textDocument/codeLens", { textDocument = doc }, 60000, buf)
  -- The lens's command for ASM_FUNC, run as the editor runs it: the listing
  -- comes back as the result, or in a document the server asks to show.
  local asm, asm_document = vim.NIL, vim.NIL
  for _, lens in ipairs(lenses and lenses.result or {}) do
    if lens.command and lens.command.arguments[2] == os.getenv("ASM_FUNC") then
      local r = client.request_sync("workspace/executeCommand", {
        command = lens.command.command,
        arguments = lens.command.arguments,
      }, 120000, buf)
      asm = r and (r.result or r.err) or vim.NIL
      vim.wait(10000, function()
        for _, b in ipairs(vim.api.nvim_list_bufs()) do
          if vim.api.nvim_buf_get_name(b):match("%.s$") then
            asm_document = table.concat(vim.api.nvim_buf_get_lines(b, 0, -1, false), "\n")
            return true
          end
        end
        return false
      end, 100)
    end
  end
  local diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(diagnostics, { line = d.lnum, col = d.col, message = d.message, source = d.source })
  end
  return {
    published = published,
    diagnostics = diagnostics,
    hints = hints and hints.result or vim.NIL,
    hover = hover and hover.result or vim.NIL,
    lenses = lenses and lenses.result or vim.NIL,
    asm = asm,
    asm_document = asm_document,
  }
end

local ok, result = pcall(run)
if not ok then
  result = { error = tostring(result) }
end
local f = io.open(os.getenv("OUT"), "w")
f:write(vim.fn.json_encode(result))
f:close()
vim.cmd("qa!")
