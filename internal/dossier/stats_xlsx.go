package dossier

import (
	"io"

	"github.com/xuri/excelize/v2"
)

// StatsLine is one line of the summary of the figures: a count, and for
// a share its ratio. Key names the line in the message catalogue
// (stats.line.*); Sub marks a line that details the one above.
type StatsLine struct {
	Key  string
	N    int
	Rate *Ratio
	Sub  bool
}

// Lines are the figures of s in the order the leaders' page and the
// export show them.
func (s *Stats) Lines() []StatsLine {
	c := &s.Counts
	rate := func(r Ratio) *Ratio { return &r }
	on, online, fully, paid, sat, procs := c.OnTimeRate(), c.OnlineRate(), c.FullyOnlineRate(), c.PaidOnlineRate(),
		c.SatisfactionRate(), s.FullyOnlineProcedureRate()
	return []StatsLine{
		{Key: "received", N: c.Received},
		{Key: "received_direct", N: c.ByChannel[ChannelDirect], Sub: true},
		{Key: "received_postal", N: c.ByChannel[ChannelPostal], Sub: true},
		{Key: "received_online", N: c.ReceivedOnline, Rate: rate(online), Sub: true},
		{Key: "resolved", N: c.Resolved()},
		{Key: "resolved_early", N: c.ResolvedEarly, Sub: true},
		{Key: "resolved_on_time", N: c.ResolvedOnTime, Sub: true},
		{Key: "resolved_late", N: c.ResolvedLate, Sub: true},
		{Key: "on_time", N: on.Num, Rate: rate(on), Sub: true},
		{Key: "in_progress", N: c.InProgress},
		{Key: "overdue", N: c.Overdue},
		{Key: "refused", N: c.Refused},
		{Key: "withdrawn", N: c.Withdrawn},
		{Key: "stopped", N: c.Stopped},
		{Key: "eligible_fully_online", N: c.EligibleFullyOnline},
		{Key: "received_fully_online", N: fully.Num, Rate: rate(fully), Sub: true},
		{Key: "payable", N: c.Payable},
		{Key: "payable_paid_online", N: paid.Num, Rate: rate(paid), Sub: true},
		{Key: "paid_online", N: c.PaidOnline},
		{Key: "rated", N: c.Rated},
		{Key: "satisfied", N: sat.Num, Rate: rate(sat), Sub: true},
		{Key: "procedures", N: s.Procedures},
		{Key: "procedures_fully_online", N: procs.Num, Rate: rate(procs), Sub: true},
	}
}

// StatsCell is one cell of a procedure's row: a count or a share.
type StatsCell struct {
	N    int
	Rate *Ratio
}

// StatsColumns name the columns of the table per procedure after its
// code and name (stats.col.*), in the order of Counts.Cells.
var StatsColumns = []string{"received", "online", "online_rate", "early", "on_time", "late", "on_time_rate",
	"in_progress", "overdue", "refused", "withdrawn", "stopped", "payable", "paid_online_rate", "rated", "satisfaction_rate"}

// Cells are c's values in the order of StatsColumns.
func (c *Counts) Cells() []StatsCell {
	rate := func(r Ratio) StatsCell { return StatsCell{N: r.Num, Rate: &r} }
	return []StatsCell{{N: c.Received}, {N: c.ReceivedOnline}, rate(c.OnlineRate()), {N: c.ResolvedEarly},
		{N: c.ResolvedOnTime}, {N: c.ResolvedLate}, rate(c.OnTimeRate()), {N: c.InProgress}, {N: c.Overdue},
		{N: c.Refused}, {N: c.Withdrawn}, {N: c.Stopped}, {N: c.Payable}, rate(c.PaidOnlineRate()), {N: c.Rated},
		rate(c.SatisfactionRate())}
}

// WriteStatsXLSX writes the figures of s for unitName as a workbook: the
// summary, and the table per procedure with the territory's total last.
// label translates the keys (stats.*) into the reader's language.
func WriteStatsXLSX(w io.Writer, s *Stats, unitName string, label func(key string, args ...any) string) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newReportStyles(f)
	if err != nil {
		return err
	}
	summary, byProc := label("stats.sheet.summary"), label("stats.sheet.procedures")
	if err := f.SetSheetName("Sheet1", summary); err != nil {
		return err
	}
	period := label("stats.period", dmy(s.From), dmy(s.To))
	put := func(sheet string, col, row int, v any, style int) error {
		if r, ok := v.(*Ratio); ok {
			v = nil
			if r.Defined() {
				v = float64(r.Num) / float64(r.Den)
			}
		}
		if err := f.SetCellValue(sheet, cell(col, row), v); err != nil {
			return err
		}
		return f.SetCellStyle(sheet, cell(col, row), cell(col, row), style)
	}

	// The summary: a line per figure, its count and its share.
	for i, t := range []string{label("stats.xlsx_title"), unitName, period} {
		style := st.subtitle
		if i == 0 {
			style = st.title
		}
		if err := titleRow(f, summary, i+1, 3, t, style, 20); err != nil {
			return err
		}
	}
	const head = 5
	for i, h := range []string{label("stats.figure"), label("stats.count"), label("stats.share")} {
		if err := put(summary, i+1, head, h, st.header); err != nil {
			return err
		}
	}
	for i, l := range s.Lines() {
		name := label("stats.line." + l.Key)
		if l.Sub {
			name = "    " + name
		}
		row := head + 1 + i
		if err := put(summary, 1, row, name, st.text); err != nil {
			return err
		}
		if err := put(summary, 2, row, l.N, st.number); err != nil {
			return err
		}
		var share any
		if l.Rate != nil {
			share = l.Rate
		}
		if err := put(summary, 3, row, share, st.percent); err != nil {
			return err
		}
	}
	if err := f.SetColWidth(summary, "A", "A", 70); err != nil {
		return err
	}
	if err := f.SetColWidth(summary, "B", "C", 14); err != nil {
		return err
	}
	if err := printLandscape(f, summary, head, head); err != nil {
		return err
	}

	// Per procedure, with the total.
	if _, err := f.NewSheet(byProc); err != nil {
		return err
	}
	last := 2 + len(StatsColumns)
	for i, t := range []string{label("stats.xlsx_title_procedures"), unitName, period} {
		style := st.subtitle
		if i == 0 {
			style = st.title
		}
		if err := titleRow(f, byProc, i+1, last, t, style, 20); err != nil {
			return err
		}
	}
	headers := append([]string{label("stats.col.code"), label("stats.col.name")}, make([]string, len(StatsColumns))...)
	for i, k := range StatsColumns {
		headers[2+i] = label("stats.col." + k)
	}
	for i, h := range headers {
		if err := put(byProc, i+1, head, h, st.header); err != nil {
			return err
		}
	}
	if err := f.SetRowHeight(byProc, head, 60); err != nil {
		return err
	}
	row := head + 1
	write := func(code, name string, c *Counts) error {
		if err := put(byProc, 1, row, code, st.center); err != nil {
			return err
		}
		if err := put(byProc, 2, row, name, st.text); err != nil {
			return err
		}
		for i, v := range c.Cells() {
			var val any = v.N
			style := st.number
			if v.Rate != nil {
				val, style = v.Rate, st.percent
			}
			if err := put(byProc, 3+i, row, val, style); err != nil {
				return err
			}
		}
		row++
		return nil
	}
	for i := range s.ByProcedure {
		p := &s.ByProcedure[i]
		if err := write(p.Code, p.Name, &p.Counts); err != nil {
			return err
		}
	}
	if err := write("", label("stats.total"), &s.Counts); err != nil {
		return err
	}
	if err := f.SetColWidth(byProc, "A", "A", 11); err != nil {
		return err
	}
	if err := f.SetColWidth(byProc, "B", "B", 44); err != nil {
		return err
	}
	lastName, _ := excelize.ColumnNumberToName(last)
	if err := f.SetColWidth(byProc, "C", lastName, 10); err != nil {
		return err
	}
	if err := f.SetPanes(byProc, &excelize.Panes{Freeze: true, XSplit: 2, YSplit: head, TopLeftCell: cell(3, head+1),
		ActivePane: "bottomRight"}); err != nil {
		return err
	}
	if err := printLandscape(f, byProc, head, head); err != nil {
		return err
	}
	return f.Write(w)
}
