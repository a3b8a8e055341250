-- Headless Neovim (0.7+) as an LSP client of torchlint: open the file, wait for diagnostics,
-- apply the TL103 quick fix through vim.lsp.util.apply_workspace_edit, wait for the diagnostic
-- to go, and write what happened as JSON to $TORCHLINT_RESULT.

local result = { diagnostics = {}, after = nil, lines = nil, error = nil }

local function finish()
  vim.fn.writefile({ vim.fn.json_encode(result) }, os.getenv("TORCHLINT_RESULT"))
  vim.lsp.stop_client(vim.lsp.get_active_clients())
  vim.wait(2000, function() return #vim.lsp.get_active_clients() == 0 end, 50)
  vim.cmd("qa!")
end

local function fail(message)
  result.error = message
  finish()
end

-- The LSP diagnostic behind a vim.diagnostic entry (0.7 keeps only the code in user_data).
local function lsp_diagnostic(d)
  local extra = (d.user_data and d.user_data.lsp) or {}
  return {
    range = { start = { line = d.lnum, character = d.col }, ["end"] = { line = d.end_lnum, character = d.end_col } },
    message = d.message, code = extra.code or d.code, source = d.source, severity = d.severity,
  }
end

vim.cmd("set filetype=python")
local bufnr = vim.api.nvim_get_current_buf()
local client_id = vim.lsp.start_client({
  name = "torchlint",
  cmd = vim.fn.json_decode(os.getenv("TORCHLINT_SERVER")),
  root_dir = vim.fn.getcwd(),
})
if not client_id then return fail("the server did not start") end
vim.lsp.buf_attach_client(bufnr, client_id)

if not vim.wait(30000, function() return #vim.diagnostic.get(bufnr) > 0 end, 50) then
  return fail("no diagnostics arrived")
end
for _, d in ipairs(vim.diagnostic.get(bufnr)) do
  local raw = lsp_diagnostic(d)
  table.insert(result.diagnostics, {
    code = raw.code, source = d.source, lnum = d.lnum, col = d.col, end_col = d.end_col, message = d.message,
  })
end

local first = vim.diagnostic.get(bufnr)[1]
local raw = lsp_diagnostic(first)
local params = {
  textDocument = vim.lsp.util.make_text_document_params(bufnr),
  range = raw.range,
  context = { diagnostics = { raw } },
}
local responses = vim.lsp.buf_request_sync(bufnr, "textDocument/codeAction", params, 20000) or {}
local chosen
result.offered = {}
for _, response in pairs(responses) do
  if response.err then result.request_error = response.err.message end
  for _, action in ipairs(response.result or {}) do
    table.insert(result.offered, action.title)
    if action.title == "torchlint (TL103): Replace Adam with AdamW (unsafe)" then chosen = action end
  end
end
if not chosen then return fail("no TL103 quick fix offered") end
if not chosen.edit then
  local client = vim.lsp.get_client_by_id(client_id)
  local resolved = client.request_sync("codeAction/resolve", chosen, 20000, bufnr)
  chosen = resolved and resolved.result or chosen
end
if not chosen.edit then return fail("the quick fix has no edit") end
vim.lsp.util.apply_workspace_edit(chosen.edit, "utf-16")

local gone = vim.wait(30000, function() return #vim.diagnostic.get(bufnr) == 0 end, 50)
result.after = #vim.diagnostic.get(bufnr)
result.lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
if not gone then return fail("the diagnostic did not go after the fix") end
finish()
