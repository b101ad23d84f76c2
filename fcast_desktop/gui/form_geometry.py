"""The geometry of a form editor: the header/grid splitter (how much of the height the header gets, collapsing it,
the height chosen per form kind), header fields flowed two or three pairs per row, the small header tables as tall
as their rows, the grid's column widths, and scrolling a header field into view."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, SignalInstance
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .table_view import FormTableView

if TYPE_CHECKING:
    from ..model import AnyForm


class EditorGeometry(QWidget):
    """The layout half of ``FormEditor``, which builds the widgets named here."""

    if TYPE_CHECKING:
        splitter: QSplitter
        header_area: QScrollArea
        header_widget: QWidget
        header_layout: QVBoxLayout
        header_fields: QWidget
        grid_bar: QHBoxLayout
        header_grid: QGridLayout
        header_toggle: QToolButton
        grid: FormTableView
        tables: list[FormTableView]
        statusMessage: SignalInstance
        _fitted: list[tuple[FormTableView, int]]
        _header_pairs: list[tuple[QLabel, QWidget]]
        _pairs_per_row: int
        _split_done: bool

        @property
        def form(self) -> AnyForm: ...

        def chosen_heights(self) -> dict[str, int]: ...

        def add_task(self) -> None: ...

        def remove_task(self, view: FormTableView) -> None: ...

    HEADER_MAX = 0.55  # the whole header is shown when it needs at most this share of the splitter, else its
    HEADER_SHARE = 0.4  # first block (fields + fund/task table), at least HEADER_SHARE; the rest of it scrolls
    WIDE_HEADER = 1350  # from this editor width the header fields are laid out three pairs per row
    NARROW_HEADER = 560  # below this editor width, one pair per row
    SHORT_SPLIT = 420  # a header/grid pane lower than this gives the header at most HEADER_SHARE
    GRID_MIN_WIDTH = 420  # below this the indicator grid scrolls sideways rather than squeeze its columns further

    def _flow_header(self, pairs: int) -> None:
        """Lay the header fields out ``pairs`` label/field pairs per row (2, or 3 on a wide window)."""
        if pairs == self._pairs_per_row:
            return
        self._pairs_per_row = pairs
        grid = self.header_grid
        for label, widget in self._header_pairs:
            grid.removeWidget(label)
            grid.removeWidget(widget)
        for n, (label, widget) in enumerate(self._header_pairs):
            row, pair = divmod(n, pairs)
            grid.addWidget(label, row, pair * 2)
            grid.addWidget(widget, row, pair * 2 + 1)
        for col in range(6):
            grid.setColumnStretch(col, 1 if col % 2 and col < pairs * 2 else 0)


    def _add_table(self, model, caption: str, layout, rows: int, buttons: bool = False) -> FormTableView:
        """A small table of the header block, as tall as its rows (at most ``rows`` of them, then it scrolls)."""
        label = QLabel(caption)
        label.setStyleSheet("font-weight:bold;")
        bar = QHBoxLayout()
        bar.addWidget(label)
        bar.addStretch(1)
        view = FormTableView()
        view.setModel(model)
        view.statusMessage.connect(self.statusMessage)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        if buttons:  # tasks: the amounts need no more than their digits, the texts get the rest of the width
            amount_width = view.fontMetrics().horizontalAdvance("99,999,999,999.00") + 16
            for col, spec in enumerate(model.columns()):
                if spec.numeric:
                    view.horizontalHeader().setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
                    view.setColumnWidth(col, amount_width)
            add = QPushButton("添加任务")
            add.clicked.connect(self.add_task)
            remove = QPushButton("删除任务")
            remove.clicked.connect(lambda: self.remove_task(view))
            bar.addWidget(add)
            bar.addWidget(remove)
        layout.addLayout(bar)
        layout.addWidget(view)
        self.tables.append(view)
        self._fitted.append((view, rows))
        # rows follow their text at the current column widths (measured again when the widths change), and the
        # table follows its rows
        view.verticalHeader().sectionResized.connect(lambda *_a, v=view, n=rows: self._fit_table(v, n))
        view.horizontalHeader().sectionResized.connect(lambda *_a, v=view: self._remeasure_later(v))
        # after a reset the view itself has measured every row (FormTableView.setModel): only the height follows
        model.modelReset.connect(lambda v=view, n=rows: self._fit_table(v, n))
        self._fit_table(view, rows)
        return view

    def _remeasure_later(self, view: FormTableView) -> None:
        if not view.property("remeasurePending"):
            view.setProperty("remeasurePending", True)
            QTimer.singleShot(0, view, lambda: self._remeasure(view))  # cancelled if the view goes away

    def _remeasure(self, view: FormTableView) -> None:
        view.setProperty("remeasurePending", False)
        if self.form is not None:
            view.resizeRowsToContents()  # (Qt emits no sectionResized for this)
            self._fit_table(view, next(n for v, n in self._fitted if v is view))

    @staticmethod
    def _fit_table(view: FormTableView, max_rows: int) -> None:
        """Height of a header table = its column header + its rows (up to ``max_rows``): no half rows, no gap."""
        header = view.verticalHeader()
        count = view.model().rowCount()
        shown = sum(header.sectionSize(r) for r in range(min(count, max_rows)))
        if count == 0:
            shown = header.defaultSectionSize()
        height = view.horizontalHeader().sizeHint().height() + shown + 2 * view.frameWidth()
        if view.height() != height or view.minimumHeight() != height:
            view.setFixedHeight(height)

    def _size_columns(self) -> None:
        if self.form is None:
            return
        bar = self.grid.verticalScrollBar()
        # leave room for the vertical scroll bar before it shows, or the columns would overflow by its width
        # columns share the grid's width and their text wraps: no sideways scrolling down to a narrow window
        width = max(self.GRID_MIN_WIDTH,
                    self.grid.viewport().width() - (0 if bar.isVisible() else bar.sizeHint().width()))
        if width != getattr(self, "_sized_for", None):
            self._sized_for = width
            self.grid.set_column_widths(width)
            self.grid.resizeRowsToContents()  # wrapped text is measured at the final column widths

    def resizeEvent(self, event):
        super().resizeEvent(event)
        width = self.width()
        self._flow_header(3 if width >= self.WIDE_HEADER else 2 if width >= self.NARROW_HEADER else 1)
        self._size_columns()
        if not self._split_done and self.splitter.height() > 50:
            self._split_done = True
            QTimer.singleShot(0, self, self._first_split)

    def _first_split(self) -> None:
        if not self._split_applied:
            self.apply_split()

    _split_applied = False


    # header pane ------------------------------------------------------------------------------------
    def header_natural_height(self) -> int:
        """Height the header block needs to show everything without scrolling."""
        self.header_layout.activate()
        return self.header_widget.sizeHint().height() + 2

    def first_block_height(self) -> int:
        """Height down to the end of the header's first block: the fields, and the fund/task table if any."""
        for view, _rows in self._fitted:
            self._fit_table(view, _rows)
        self.header_layout.activate()
        anchor = self._fitted[0][0] if self._fitted else self.header_fields
        return anchor.geometry().bottom() + 6

    def grid_content_height(self) -> int:
        """Height the indicator pane needs to show every row (caption, column header, rows)."""
        grid = self.grid
        return (self.grid_bar.sizeHint().height() + grid.horizontalHeader().height()
                + grid.verticalHeader().length() + 2 * grid.frameWidth() + 8)

    def apply_split(self) -> None:
        """Initial header/grid split: what the user chose for this form kind this session; else the whole header
        when it takes at most HEADER_MAX of the space; else down to the end of its first block (fields and the
        fund/task table: the rest scrolls), within HEADER_SHARE..HEADER_MAX — the indicator grid keeps the rest."""
        if self.form is None:
            return
        total = sum(self.splitter.sizes()) or self.splitter.height()
        chosen = self.chosen_heights().get(self.form.kind)
        natural = self.header_natural_height()
        # a short window (1366×768 at 150 %) keeps most of its little height for the grid
        most = self.HEADER_MAX if total >= self.SHORT_SPLIT else self.HEADER_SHARE
        if chosen is not None:
            header = min(chosen, total - 120)
        elif natural <= total * most:
            header = natural
        else:
            header = min(max(self.first_block_height(), int(total * self.HEADER_SHARE)), int(total * most))
            header = max(header, min(natural, total - self.grid_content_height()))  # a short grid leaves room
        header = max(0, header)
        self.splitter.setSizes([header, total - header])
        self._split_applied = True
        self._update_toggle()

    def header_collapsed(self) -> bool:
        return self.splitter.sizes()[0] == 0

    def toggle_header(self) -> None:
        total = sum(self.splitter.sizes())
        if self.header_collapsed():
            height = self._restore_height or min(self.header_natural_height(), int(total * self.HEADER_MAX))
            self.splitter.setSizes([height, total - height])
        else:
            self._restore_height = self.splitter.sizes()[0]
            self.splitter.setSizes([0, total])
        self.chosen_heights()[self.form.kind] = self.splitter.sizes()[0]
        self._update_toggle()

    _restore_height = 0

    def _splitter_moved(self, _pos: int, _index: int) -> None:
        self.chosen_heights()[self.form.kind] = self.splitter.sizes()[0]
        self._update_toggle()

    def _update_toggle(self) -> None:
        collapsed = self.header_collapsed() if self._split_done else False
        self.header_toggle.setText("▼ 展开表头" if collapsed else "▲ 收起表头")


    def settle(self) -> None:
        """Lay the editor out now — it may have been built a moment ago and not be laid out yet — so that what
        ``reveal`` scrolls to is where it will stay (the first header/grid split included)."""
        window = self.window()
        for layout in (window.layout() if window is not None else None, self.layout()):
            if layout is not None:
                layout.activate()
        if not self._split_applied and self.splitter.height() > 50:
            self._split_done = True
            self.apply_split()
        self.header_layout.activate()

    def _open_header_for(self, widget) -> None:
        """The header pane is collapsed, or too low to show ``widget``: open it enough (the grid keeps the rest)."""
        sizes = self.splitter.sizes()
        total = sum(sizes)
        need = min(widget.height() + 24, self.header_natural_height())
        if sizes[0] >= min(need, int(total * self.HEADER_MAX)):
            return
        height = min(max(need, self._restore_height or 0, int(total * self.HEADER_SHARE)), int(total * self.HEADER_MAX))
        self.splitter.setSizes([height, total - height])
        self._update_toggle()
        self.header_layout.activate()

    def _show_in_header(self, widget) -> None:
        """Scroll the header pane so all of ``widget`` shows (its top, when it is taller than the pane) — not only
        its text cursor, which is all QScrollArea.ensureWidgetVisible brings into view for an editor."""
        self._open_header_for(widget)
        margin = 8
        bar = self.header_area.verticalScrollBar()
        height = self.header_area.viewport().height()
        top = widget.mapTo(self.header_widget, widget.rect().topLeft()).y() - margin
        bottom = top + widget.height() + 2 * margin
        value = bar.value()
        if bottom > value + height:
            value = bottom - height
        if top < value:
            value = top
        bar.setValue(max(0, value))

