"""Click commands, one module per stage of the data flow; `stancebench.cli` registers them."""
