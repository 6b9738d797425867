package dossier

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"egov"
	"egov/internal/audit"
	"egov/internal/identity"
	"egov/internal/store"
	"egov/internal/workcal"
)

// Register is the register of dossiers (Sổ theo dõi hồ sơ, Mẫu 06 of
// Circular 01/2018/TT-VPCP) of a unit's territory over a period: one row
// per dossier received in it, in the order received, numbered from 01 in
// each calendar year.
type Register struct {
	UnitCode, UnitName string
	From, To           workcal.Date
	Rows               []RegisterRow
}

// RegisterRow is one line of the register. It names the applicant and
// where they live, as the form does, but never their citizen ID.
type RegisterRow struct {
	No            int // from 1 in each year of ReceivedAt
	Code          string
	Procedure     string
	Sets          int    // số lượng hồ sơ (bộ): one dossier is one set
	Applicant     string // tên cá nhân, tổ chức
	Address       string // địa chỉ, số điện thoại
	Agency        string // cơ quan chủ trì giải quyết
	ReceivedAt    time.Time
	DueDate       workcal.Date // the appointment on the receipt
	TransferredAt time.Time    // handed to the officer who resolves it
	ResultAt      time.Time    // the result came back (resolved)
	ReturnedAt    time.Time    // the result was handed to the applicant
	Note          string
}

// MaxRegisterDays bounds the period of one register: a year.
const MaxRegisterDays = 366

// Register returns the register of the territory of unitCode (today's
// unit) for the days [from, to] in Vietnam. It shows personal data, so
// only officers who may read the unit's dossiers in full may have it, and
// each download is audited.
func (s *Dossiers) Register(ctx context.Context, a *identity.Actor, unitCode string, from, to workcal.Date) (*Register, error) {
	if to.Before(from) {
		return nil, egov.FieldError("to", "dossier.period_invalid")
	}
	if to.Sub(from) >= MaxRegisterDays {
		return nil, egov.FieldError("to", "dossier.register_too_long", MaxRegisterDays)
	}
	g, u, err := s.todayUnit(ctx, unitCode)
	if err != nil {
		return nil, err
	}
	today := s.units.Today()
	for _, p := range []identity.Permission{identity.PermDossierRead, identity.PermPersonalDataRead} {
		if err := s.ids.Can(ctx, a, p, u.ID); err != nil {
			return nil, err
		}
	}
	ids := g.Territory(u, today)
	args := make([]any, 0, len(ids)+2)
	for id := range ids {
		args = append(args, id)
	}
	start, end := from.Time(workcal.ICT), to.AddDays(1).Time(workcal.ICT)
	// A dossier is received at most a few days after it is filed online.
	args = append(args, store.FormatTime(start.AddDate(0, 0, -60)), store.FormatTime(end))
	rows, err := s.db.QueryContext(ctx, `SELECT d.code, d.procedure_code, d.unit_id, d.channel, d.status, d.applicant_name,
		d.applicant_phone, d.fields, d.original_due_date, d.due_date, d.apologised, d.supplement_requests, d.finished_at,
		d.returned_at,
		(SELECT MIN(e.at) FROM dossier_events e WHERE e.dossier_id = d.id AND e.action IN ('intake', 'receive')),
		(SELECT MIN(e.at) FROM dossier_events e WHERE e.dossier_id = d.id AND e.action = 'assign')
		FROM dossiers d WHERE d.unit_id IN (`+placeholders(len(ids))+`) AND d.status NOT IN ('draft', 'new')
		AND d.submitted_at >= ? AND d.submitted_at < ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	procs := map[string]*Procedure{}
	reg := &Register{UnitCode: u.Code, UnitName: u.Name, From: from, To: to}
	for rows.Next() {
		var d Dossier
		var channel, status, fields string
		var origDue, due, finished, returned, received, sent sql.NullString
		var apologised int
		if err := rows.Scan(&d.Code, &d.ProcedureCode, &d.UnitID, &channel, &status, &d.ApplicantName, &d.ApplicantPhone,
			&fields, &origDue, &due, &apologised, &d.SupplementRequests, &finished, &returned, &received, &sent); err != nil {
			return nil, err
		}
		r := RegisterRow{Code: d.Code, Sets: 1, ReceivedAt: parseNullTime(received), TransferredAt: parseNullTime(sent)}
		if r.ReceivedAt.IsZero() || r.ReceivedAt.Before(start) || !r.ReceivedAt.Before(end) {
			continue
		}
		d.Channel, d.Status, d.Apologised = Channel(channel), Status(status), apologised != 0
		d.OriginalDueDate, d.DueDate = parseNullDate(origDue), parseNullDate(due)
		d.FinishedAt, d.ReturnedAt = parseNullTime(finished), parseNullTime(returned)
		p := procs[d.ProcedureCode]
		if p == nil {
			if p, err = s.procs.Get(ctx, d.ProcedureCode); err != nil {
				return nil, err
			}
			procs[d.ProcedureCode] = p
		}
		if err := json.Unmarshal([]byte(fields), &d.Fields); err != nil {
			return nil, fmt.Errorf("dossier %s fields: %w", d.Code, err)
		}
		r.Procedure, r.Applicant = p.Name, d.ApplicantName
		r.Address = strings.Join(nonEmpty(applicantAddress(p, d.Fields), d.ApplicantPhone), "; ")
		if unit := g.ByID(d.UnitID); unit != nil {
			r.Agency = "UBND " + unit.Name
		}
		r.DueDate = d.OriginalDueDate
		if d.Status == StatusResolved || d.Status == StatusReturned {
			r.ResultAt = d.FinishedAt
		}
		r.ReturnedAt = d.ReturnedAt
		r.Note = registerNote(&d, workcal.LocalDate(s.Now()))
		reg.Rows = append(reg.Rows, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.Slice(reg.Rows, func(i, j int) bool {
		a, b := &reg.Rows[i], &reg.Rows[j]
		if !a.ReceivedAt.Equal(b.ReceivedAt) {
			return a.ReceivedAt.Before(b.ReceivedAt)
		}
		return a.Code < b.Code
	})
	year, n := 0, 0
	for i := range reg.Rows {
		if y := reg.Rows[i].ReceivedAt.In(workcal.ICT).Year(); y != year {
			year, n = y, 0
		}
		n++
		reg.Rows[i].No = n
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		return audit.Append(ctx, tx, &audit.Entry{ActorID: a.ID(), ActorName: a.Name(), Action: "dossier.register",
			ObjectType: "unit", ObjectID: u.Code, UnitCode: u.Code,
			Summary: fmt.Sprintf("sổ theo dõi hồ sơ (Mẫu 06) từ %s đến %s: %d hồ sơ", dmy(from), dmy(to), len(reg.Rows))})
	})
	if err != nil {
		return nil, err
	}
	return reg, nil
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// applicantAddress finds the applicant's address in a dossier's form: the
// address field of the requester, owner, guardian, testator or household
// head, else a field named address, else the form's first address.
func applicantAddress(p *Procedure, fields map[string]string) string {
	var first string
	for _, prefix := range []string{"requester_", "owner_", "guardian_", "testator_", "head_"} {
		if v := fields[prefix+"address"]; v != "" {
			return v
		}
	}
	if v := fields["address"]; v != "" {
		return v
	}
	for _, f := range p.Form.Fields {
		if strings.HasSuffix(f.Name, "address") && fields[f.Name] != "" && first == "" {
			first = fields[f.Name]
		}
	}
	return first
}

// registerNote is the register's remark on a dossier: how it came, what
// happened to it besides the usual, and whether it ran late.
func registerNote(d *Dossier, today workcal.Date) string {
	var n []string
	switch d.Channel {
	case ChannelOnline:
		n = append(n, "Nộp trực tuyến")
	case ChannelPostal:
		n = append(n, "Qua bưu chính công ích")
	}
	switch {
	case d.SupplementRequests == 1:
		n = append(n, "Bổ sung hồ sơ")
	case d.SupplementRequests > 1:
		n = append(n, fmt.Sprintf("Bổ sung hồ sơ %d lần", d.SupplementRequests))
	}
	if d.Apologised {
		n = append(n, "Hẹn lại ngày trả kết quả "+dmy(d.DueDate))
	}
	switch d.Status {
	case StatusRefused:
		n = append(n, "Từ chối giải quyết")
	case StatusWithdrawn:
		n = append(n, "Công dân rút hồ sơ")
	case StatusStopped:
		n = append(n, "Dừng xử lý")
	default:
		switch d.TimelinessOn(today) {
		case Late:
			n = append(n, "Trễ hạn")
		case Overdue:
			n = append(n, "Quá hạn")
		}
	}
	return strings.Join(n, "; ")
}

// registerColumns are the columns of Mẫu 06; a group spans the columns
// with its title (Ký nhận: signed on paper, blank in the file).
var registerColumns = []struct {
	group, title string
	width        float64
}{
	{"", "TT", 5},
	{"", "Mã hồ sơ", 17},
	{"", "Tên thủ tục hành chính", 26},
	{"", "Số lượng hồ sơ (bộ)", 7},
	{"", "Tên cá nhân, tổ chức", 18},
	{"", "Địa chỉ, số điện thoại", 26},
	{"", "Cơ quan chủ trì giải quyết", 16},
	{"", "Ngày, tháng, năm nhận hồ sơ", 11},
	{"", "Ngày, tháng, năm hẹn trả kết quả", 11},
	{"Chuyển hồ sơ đến cơ quan giải quyết", "Ngày, tháng, năm", 11},
	{"Chuyển hồ sơ đến cơ quan giải quyết", "Ký nhận", 8},
	{"Nhận kết quả từ cơ quan giải quyết", "Ngày, tháng, năm", 11},
	{"Nhận kết quả từ cơ quan giải quyết", "Ký nhận", 8},
	{"Trả kết quả cho cá nhân, tổ chức", "Ngày, tháng, năm", 11},
	{"Trả kết quả cho cá nhân, tổ chức", "Ký nhận", 8},
	{"", "Ghi chú", 18},
}

// WriteRegisterXLSX writes the register as Mẫu 06, one sheet per year of
// the period, landscape A4 with the header repeated on every page.
func WriteRegisterXLSX(w io.Writer, reg *Register) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newReportStyles(f)
	if err != nil {
		return err
	}
	byYear := map[int][]RegisterRow{}
	years := []int{}
	for y := reg.From.Year(); y <= reg.To.Year(); y++ {
		years = append(years, y)
	}
	for _, r := range reg.Rows {
		y := r.ReceivedAt.In(workcal.ICT).Year()
		byYear[y] = append(byYear[y], r)
	}
	for i, y := range years {
		sheet := fmt.Sprintf("Năm %d", y)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sheet); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(sheet); err != nil {
			return err
		}
		from, to := reg.From, reg.To
		if first := workcal.NewDate(y, 1, 1); first.After(from) {
			from = first
		}
		if last := workcal.NewDate(y, 12, 31); last.Before(to) {
			to = last
		}
		if err := writeRegisterSheet(f, st, sheet, reg, from, to, byYear[y]); err != nil {
			return err
		}
	}
	return f.Write(w)
}

func writeRegisterSheet(f *excelize.File, st *reportStyles, sheet string, reg *Register, from, to workcal.Date, rows []RegisterRow) error {
	last := len(registerColumns)
	lines := []struct {
		text  string
		style int
	}{
		{"Mẫu số 06", st.note},
		{"SỔ THEO DÕI HỒ SƠ", st.title},
		{"Bộ phận Tiếp nhận và Trả kết quả — " + reg.UnitName + " (" + reg.UnitCode + ")", st.subtitle},
		{"Từ ngày " + dmy(from) + " đến ngày " + dmy(to), st.subtitle},
	}
	for i, l := range lines {
		if err := titleRow(f, sheet, i+1, last, l.text, l.style, 20); err != nil {
			return err
		}
	}
	const h1, h2, nums = 6, 7, 8
	put := func(col, row int, v any, style int) error {
		if err := f.SetCellValue(sheet, cell(col, row), v); err != nil {
			return err
		}
		return f.SetCellStyle(sheet, cell(col, row), cell(col, row), style)
	}
	for i, c := range registerColumns {
		col := i + 1
		name, _ := excelize.ColumnNumberToName(col)
		if err := f.SetColWidth(sheet, name, name, c.width); err != nil {
			return err
		}
		if c.group == "" {
			if err := put(col, h1, c.title, st.header); err != nil {
				return err
			}
			if err := put(col, h2, nil, st.header); err != nil {
				return err
			}
			if err := f.MergeCell(sheet, cell(col, h1), cell(col, h2)); err != nil {
				return err
			}
		} else {
			if err := put(col, h1, c.group, st.header); err != nil {
				return err
			}
			if err := put(col, h2, c.title, st.header); err != nil {
				return err
			}
			if i > 0 && registerColumns[i-1].group == c.group {
				if err := f.MergeCell(sheet, cell(col-1, h1), cell(col, h1)); err != nil {
					return err
				}
			}
		}
		if err := put(col, nums, fmt.Sprintf("(%d)", col), st.center); err != nil {
			return err
		}
	}
	if err := f.SetRowHeight(sheet, h1, 32); err != nil {
		return err
	}
	if err := f.SetRowHeight(sheet, h2, 45); err != nil {
		return err
	}
	day := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return dmy(workcal.LocalDate(t))
	}
	for i, r := range rows {
		row := nums + 1 + i
		received := ""
		if !r.ReceivedAt.IsZero() {
			received = r.ReceivedAt.In(workcal.ICT).Format("15:04") + " " + day(r.ReceivedAt)
		}
		vals := []any{fmt.Sprintf("%02d", r.No), r.Code, r.Procedure, r.Sets, r.Applicant, r.Address, r.Agency, received,
			dmy(r.DueDate), day(r.TransferredAt), "", day(r.ResultAt), "", day(r.ReturnedAt), "", r.Note}
		for j, v := range vals {
			style := st.text
			switch j {
			case 0, 3, 7, 8, 9, 11, 13:
				style = st.center
			}
			if err := put(j+1, row, v, style); err != nil {
				return err
			}
		}
	}
	if len(rows) == 0 {
		if err := titleRow(f, sheet, nums+1, last, "Không có hồ sơ tiếp nhận trong kỳ.", st.text, 0); err != nil {
			return err
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: nums, TopLeftCell: cell(1, nums+1), ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	return printLandscape(f, sheet, h1, nums)
}
