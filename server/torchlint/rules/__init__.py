"""The rules, one file each, named after the code: ``<family>/tl<code>_<name>.py``.

A rule file imports the analysis layer, the fixing helpers and its own family's private
module (``<family>/_<topic>.py``), never another family.
"""
