"""Applying fixes and code actions as libcst edits (:mod:`.fixer`), and the helpers rules' fixes
use (:mod:`.fix_context`, :mod:`.imports`). Importing this package does not import libcst;
:mod:`.text_edits` never does.
"""
