"""A table of plain text whose columns come from the state (a preview of a file, say)."""

import reflex as rx


def text_table(headers: rx.Var, rows: rx.Var, *, label: rx.Var | str) -> rx.Component:
    """`headers` is a list of column names, `rows` a list of lists of text; the first cell of a
    row heads it. `label` names the table for screen readers and tests."""
    return rx.table.root(
        rx.el.caption(
            label,
            style={"position": "absolute", "width": "1px", "height": "1px", "overflow": "hidden", "clip": "rect(0 0 0 0)"},
        ),
        rx.table.header(rx.table.row(rx.foreach(headers, lambda header: rx.table.column_header_cell(header)))),
        rx.table.body(
            rx.foreach(
                rows,
                lambda row: rx.table.row(
                    rx.table.row_header_cell(row[0]),
                    rx.foreach(row[1:], lambda cell: rx.table.cell(cell)),
                ),
            )
        ),
        variant="surface",
        size="1",
        width="100%",
    )
