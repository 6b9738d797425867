package reporting

import (
	"context"
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"egov/internal/store"
)

// Catalogue is every category, indicator, form and rule, loaded at once:
// it is small (hundreds of rows) and every request needs it.
type Catalogue struct {
	Categories []*Category
	Indicators []*Indicator // ordered by code
	Forms      []*Form      // ordered by code
	Rules      []*ValidationRule

	categories map[string]*Category
	indicators map[string]*Indicator
	byID       map[int64]*Indicator
	forms      map[string]*Form
}

// Indicator returns the indicator with code, or nil.
func (c *Catalogue) Indicator(code string) *Indicator { return c.indicators[code] }

// Category returns the category with code, or nil.
func (c *Catalogue) Category(code string) *Category { return c.categories[code] }

// Form returns the form with code, or nil.
func (c *Catalogue) Form(code string) *Form { return c.forms[code] }

// Combos returns every option combination of the indicator's categories,
// in order ("nam_kinh", "nam_khmer", ...); [""] without categories.
func (c *Catalogue) Combos(ind *Indicator) []string {
	out := []string{""}
	for _, cc := range ind.Categories {
		cat := c.categories[cc]
		if cat == nil {
			continue
		}
		var next []string
		for _, prefix := range out {
			for _, o := range cat.Options {
				if prefix == "" {
					next = append(next, o.Code)
				} else {
					next = append(next, prefix+"_"+o.Code)
				}
			}
		}
		out = next
	}
	return out
}

// ValidCombo reports whether combo is one of the indicator's combinations.
func (c *Catalogue) ValidCombo(ind *Indicator, combo string) bool {
	parts := strings.Split(combo, "_")
	if combo == "" {
		return len(ind.Categories) == 0
	}
	if len(parts) != len(ind.Categories) {
		return false
	}
	for i, p := range parts {
		cat := c.categories[ind.Categories[i]]
		if cat == nil || !hasOption(cat, p) {
			return false
		}
	}
	return true
}

// hasOptionOf reports whether option is an option of one of ind's
// categories.
func (c *Catalogue) hasOptionOf(ind *Indicator, option string) bool {
	for _, cc := range ind.Categories {
		if cat := c.categories[cc]; cat != nil && hasOption(cat, option) {
			return true
		}
	}
	return false
}

func hasOption(cat *Category, code string) bool {
	for _, o := range cat.Options {
		if o.Code == code {
			return true
		}
	}
	return false
}

func (c *Catalogue) index() {
	c.categories = map[string]*Category{}
	c.indicators = map[string]*Indicator{}
	c.byID = map[int64]*Indicator{}
	c.forms = map[string]*Form{}
	for _, x := range c.Categories {
		c.categories[x.Code] = x
	}
	for _, x := range c.Indicators {
		c.indicators[x.Code] = x
		c.byID[x.ID] = x
	}
	for _, x := range c.Forms {
		c.forms[x.Code] = x
	}
}

func loadCatalogue(ctx context.Context, q store.Querier) (*Catalogue, error) {
	c := &Catalogue{}
	cats := map[string]*Category{}
	err := eachRow(ctx, q, `SELECT code, name_vi, name_en FROM stat_categories ORDER BY code`, func(scan func(...any) error) error {
		x := &Category{}
		if err := scan(&x.Code, &x.NameVI, &x.NameEN); err != nil {
			return err
		}
		cats[x.Code] = x
		c.Categories = append(c.Categories, x)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = eachRow(ctx, q, `SELECT category_code, code, name_vi, name_en FROM stat_category_options ORDER BY category_code, position`, func(scan func(...any) error) error {
		var cat string
		var o Option
		if err := scan(&cat, &o.Code, &o.NameVI, &o.NameEN); err != nil {
			return err
		}
		if x := cats[cat]; x != nil {
			x.Options = append(x.Options, o)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	byID := map[int64]*Indicator{}
	err = eachRow(ctx, q, `SELECT id, code, name_vi, name_en, unit, value_type, agg_units, agg_time, period_type, categories,
		numerator, denominator, factor FROM stat_indicators ORDER BY code`, func(scan func(...any) error) error {
		x := &Indicator{}
		var categories string
		if err := scan(&x.ID, &x.Code, &x.NameVI, &x.NameEN, &x.Unit, &x.ValueType, &x.AggUnits, &x.AggTime, &x.PeriodType,
			&categories, &x.Numerator, &x.Denominator, &x.Factor); err != nil {
			return err
		}
		if categories != "" {
			x.Categories = strings.Split(categories, ";")
		}
		byID[x.ID] = x
		c.Indicators = append(c.Indicators, x)
		return nil
	})
	if err != nil {
		return nil, err
	}
	forms := map[int64]*Form{}
	err = eachRow(ctx, q, `SELECT id, code, name_vi, name_en, period_type, close_days FROM stat_forms ORDER BY code`, func(scan func(...any) error) error {
		x := &Form{}
		if err := scan(&x.ID, &x.Code, &x.NameVI, &x.NameEN, &x.PeriodType, &x.CloseDays); err != nil {
			return err
		}
		forms[x.ID] = x
		c.Forms = append(c.Forms, x)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = eachRow(ctx, q, `SELECT form_id, level, deadline_days FROM stat_form_levels ORDER BY form_id, level DESC`, func(scan func(...any) error) error {
		var id int64
		var l FormLevel
		if err := scan(&id, &l.Level, &l.DeadlineDays); err != nil {
			return err
		}
		if f := forms[id]; f != nil {
			f.Levels = append(f.Levels, l)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = eachRow(ctx, q, `SELECT form_id, name_vi, name_en FROM stat_form_sections ORDER BY form_id, position`, func(scan func(...any) error) error {
		var id int64
		var s Section
		if err := scan(&id, &s.NameVI, &s.NameEN); err != nil {
			return err
		}
		if f := forms[id]; f != nil {
			f.Sections = append(f.Sections, s)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = eachRow(ctx, q, `SELECT form_id, section, indicator_id FROM stat_form_items ORDER BY form_id, section, position`, func(scan func(...any) error) error {
		var id, ind int64
		var sec int
		if err := scan(&id, &sec, &ind); err != nil {
			return err
		}
		if f := forms[id]; f != nil && sec < len(f.Sections) && byID[ind] != nil {
			f.Sections[sec].Indicators = append(f.Sections[sec].Indicators, byID[ind].Code)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = eachRow(ctx, q, `SELECT id, code, name_vi, name_en, left_side, operator, right_side, importance, missing FROM stat_rules ORDER BY code`, func(scan func(...any) error) error {
		x := &ValidationRule{}
		var l, r string
		if err := scan(&x.ID, &x.Code, &x.NameVI, &x.NameEN, &l, &x.Op, &r, &x.Importance, &x.Missing); err != nil {
			return err
		}
		var err error
		if x.Left, err = ParseSide(l); err != nil {
			return err
		}
		if x.Right, err = ParseSide(r); err != nil {
			return err
		}
		c.Rules = append(c.Rules, x)
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.index()
	return c, nil
}

// eachRow runs query and calls fn with each row's Scan.
func eachRow(ctx context.Context, q store.Querier, query string, fn func(scan func(...any) error) error, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("reporting: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return fmt.Errorf("reporting: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reporting: %w", err)
	}
	return nil
}

//go:embed catalogue/indicators.csv
var seedFiles embed.FS

// seedCategories are the disaggregations whose options the reference data
// lists.
var seedCategories = []Category{
	{"gioitinh", "Giới tính", "Sex", []Option{{"nam", "Nam", "Male"}, {"nu", "Nữ", "Female"}}},
	{"dantoc", "Dân tộc", "Ethnicity", []Option{{"kinh", "Kinh", "Kinh"}, {"khmer", "Khmer", "Khmer"}, {"hoa", "Hoa", "Hoa"}, {"khac", "Khác", "Other"}}},
	{"khuvuc", "Thành thị/nông thôn", "Urban/rural", []Option{{"thanhthi", "Thành thị", "Urban"}, {"nongthon", "Nông thôn", "Rural"}}},
	{"vu", "Vụ", "Crop season", []Option{{"dongxuan", "Đông Xuân", "Winter–spring"}, {"hethu", "Hè Thu", "Summer–autumn"}, {"thudong", "Thu Đông", "Autumn–winter"}}},
	{"loaitom", "Loài tôm", "Shrimp species", []Option{{"thechantrang", "Tôm thẻ chân trắng", "Whiteleg shrimp"}, {"su", "Tôm sú", "Black tiger shrimp"}}},
	{"hinhthucnuoi", "Hình thức nuôi", "Farming method", []Option{{"thamcanh", "Thâm canh, bán thâm canh", "Intensive, semi-intensive"},
		{"quangcanh", "Quảng canh, quảng canh cải tiến", "Extensive, improved extensive"}, {"tomlua", "Tôm - lúa", "Shrimp–rice"}}},
	{"kenhnop", "Kênh nộp", "Submission channel", []Option{{"tructiep", "Trực tiếp", "In person"}, {"tructuyen", "Trực tuyến", "Online"}, {"buuchinh", "Bưu chính công ích", "Public postal service"}}},
}

// seedForms are the commune socio-economic reports, monthly and yearly,
// with the indicators the province's plan names. Communes (level 3) report
// one working day after the cut-off, districts three, the province five.
var seedForms = []Form{
	{Code: "KTXH-XA-THANG", NameVI: "Báo cáo tình hình kinh tế - xã hội cấp xã hằng tháng", NameEN: "Commune socio-economic report, monthly",
		PeriodType: Monthly, Levels: []FormLevel{{3, 1}, {2, 3}, {1, 5}}, CloseDays: DefaultCloseDays,
		Sections: []Section{
			{"Nông nghiệp, thủy sản", "Agriculture and aquaculture", []string{"CX.NN.01", "CX.NN.02", "CX.NN.07", "CX.NN.09"}},
			{"Dịch vụ công", "Public services", []string{"CX.CQS.01", "CX.CQS.02"}},
			{"Chuyển đổi số", "Digital transformation", []string{"CX.CDS.13"}},
		}},
	{Code: "KTXH-XA-NAM", NameVI: "Báo cáo tình hình kinh tế - xã hội cấp xã hằng năm", NameEN: "Commune socio-economic report, yearly",
		PeriodType: Yearly, Levels: []FormLevel{{3, 1}, {2, 3}, {1, 5}}, CloseDays: DefaultCloseDays,
		Sections: []Section{
			{"Dân số, hộ gia đình", "Population and households", []string{"CX.DS.03", "CX.DS.04", "CX.DS.05"}},
			{"Giảm nghèo, nông thôn mới", "Poverty and new rural development", []string{"CX.XH.01", "CX.XH.02", "CX.XH.09"}},
			{"Hạ tầng số, xã hội số", "Digital infrastructure and society", []string{"CX.CDS.01", "CX.CDS.03", "CX.CDS.05", "CX.CDS.06", "CX.CDS.08", "CX.CDS.10"}},
			{"Cán bộ, công chức", "Officials", []string{"CX.CDS.14", "CX.CDS.15"}},
		}},
}

// seedRules are the checks the forms' figures must pass.
var seedRules = []struct {
	code, vi, en, left, op, right, importance string
}{
	{"R-HONGHEO", "Hộ nghèo và cận nghèo không vượt quá số hộ", "Poor and near-poor households do not exceed households", "CX.XH.01 + CX.XH.02", "<=", "CX.DS.03", "high"},
	{"R-CAPQUANG", "Hộ có cáp quang không vượt quá số hộ", "Households with fibre do not exceed households", "CX.CDS.01", "<=", "CX.DS.03", "high"},
	{"R-4G", "Ấp, khóm có 4G không vượt quá số ấp, khóm", "Hamlets with 4G do not exceed hamlets", "CX.CDS.05", "<=", "CX.DS.05", "medium"},
	{"R-DTTM", "Người có điện thoại thông minh không vượt quá dân số từ 15 tuổi", "Smartphone users do not exceed the population aged 15+", "CX.CDS.08", "<=", "CX.DS.04", "medium"},
	{"R-TKTT", "Người có tài khoản thanh toán không vượt quá dân số từ 15 tuổi", "Payment-account holders do not exceed the population aged 15+", "CX.CDS.10", "<=", "CX.DS.04", "medium"},
	{"R-TAPHUAN", "Cán bộ đã tập huấn không vượt quá tổng số cán bộ", "Trained officials do not exceed officials", "CX.CDS.15", "<=", "CX.CDS.14", "medium"},
	{"R-ST25", "Diện tích lúa ST25 không vượt quá diện tích gieo trồng lúa", "ST25 rice area does not exceed the rice area sown", "CX.NN.02", "<=", "CX.NN.01", "high"},
	{"R-TRUCTUYEN", "Hồ sơ trực tuyến toàn trình không vượt quá hồ sơ tiếp nhận", "Fully online dossiers do not exceed dossiers received", "CX.CQS.02", "<=", "CX.CQS.01", "high"},
}

// parseSeedIndicators reads the embedded catalogue.
func parseSeedIndicators() ([]*Indicator, error) {
	f, err := seedFiles.Open("catalogue/indicators.csv")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	if _, err := r.Read(); err != nil {
		return nil, err
	}
	var out []*Indicator
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		x := &Indicator{Code: rec[0], NameVI: rec[1], NameEN: rec[2], Unit: rec[3], ValueType: ValueType(rec[4]),
			AggUnits: Aggregation(rec[5]), AggTime: Aggregation(rec[6]), PeriodType: PeriodType(rec[7]),
			Numerator: rec[9], Denominator: rec[10], Factor: 1}
		if rec[8] != "" {
			x.Categories = strings.Split(rec[8], ";")
		}
		if rec[11] != "" {
			if x.Factor, err = strconv.ParseFloat(rec[11], 64); err != nil {
				return nil, fmt.Errorf("%s: factor: %w", x.Code, err)
			}
		}
		out = append(out, x)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out, nil
}

// Seed adds the seed catalogue's categories, indicators, forms and rules
// that the database lacks (by code). It never changes existing rows, so it
// is safe to run at every start.
func (s *Service) Seed(ctx context.Context) error {
	inds, err := parseSeedIndicators()
	if err != nil {
		return fmt.Errorf("reporting: seed: %w", err)
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		exists := func(query string, args ...any) (bool, error) {
			var n int
			err := tx.QueryRowContext(ctx, query, args...).Scan(&n)
			return n > 0, err
		}
		for _, c := range seedCategories {
			if ok, err := exists(`SELECT COUNT(*) FROM stat_categories WHERE code = ?`, c.Code); err != nil || ok {
				if err != nil {
					return err
				}
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO stat_categories (code, name_vi, name_en) VALUES (?, ?, ?)`, c.Code, c.NameVI, c.NameEN); err != nil {
				return err
			}
			for i, o := range c.Options {
				if _, err := tx.ExecContext(ctx, `INSERT INTO stat_category_options (category_code, code, position, name_vi, name_en) VALUES (?, ?, ?, ?, ?)`,
					c.Code, o.Code, i, o.NameVI, o.NameEN); err != nil {
					return err
				}
			}
		}
		ids, err := addIndicators(ctx, tx, inds)
		if err != nil {
			return err
		}
		for _, f := range seedForms {
			if ok, err := exists(`SELECT COUNT(*) FROM stat_forms WHERE code = ?`, f.Code); err != nil || ok {
				if err != nil {
					return err
				}
				continue
			}
			var id int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO stat_forms (code, name_vi, name_en, period_type, close_days) VALUES (?, ?, ?, ?, ?) RETURNING id`,
				f.Code, f.NameVI, f.NameEN, f.PeriodType, f.CloseDays).Scan(&id); err != nil {
				return err
			}
			for _, l := range f.Levels {
				if _, err := tx.ExecContext(ctx, `INSERT INTO stat_form_levels (form_id, level, deadline_days) VALUES (?, ?, ?)`, id, l.Level, l.DeadlineDays); err != nil {
					return err
				}
			}
			for si, sec := range f.Sections {
				if _, err := tx.ExecContext(ctx, `INSERT INTO stat_form_sections (form_id, position, name_vi, name_en) VALUES (?, ?, ?, ?)`, id, si, sec.NameVI, sec.NameEN); err != nil {
					return err
				}
				for ii, code := range sec.Indicators {
					if ids[code] == 0 {
						return fmt.Errorf("form %s: unknown indicator %s", f.Code, code)
					}
					if _, err := tx.ExecContext(ctx, `INSERT INTO stat_form_items (form_id, section, position, indicator_id) VALUES (?, ?, ?, ?)`, id, si, ii, ids[code]); err != nil {
						return err
					}
				}
			}
		}
		for _, r := range seedRules {
			if ok, err := exists(`SELECT COUNT(*) FROM stat_rules WHERE code = ?`, r.code); err != nil || ok {
				if err != nil {
					return err
				}
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO stat_rules (code, name_vi, name_en, left_side, operator, right_side, importance, missing)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, r.code, r.vi, r.en, r.left, r.op, r.right, r.importance, SkipIfAnyMissing); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reporting: seed: %w", err)
	}
	s.invalidate()
	return nil
}

// ComboName names a combination of the indicator's options in lang
// ("Nam, Kinh"); "" for the combination of an indicator without categories.
func (c *Catalogue) ComboName(ind *Indicator, combo, lang string) string {
	if combo == "" {
		return ""
	}
	parts := strings.Split(combo, "_")
	names := make([]string, 0, len(parts))
	for i, p := range parts {
		name := p
		if i < len(ind.Categories) {
			if cat := c.categories[ind.Categories[i]]; cat != nil {
				for _, o := range cat.Options {
					if o.Code == p {
						name = o.Name(lang)
					}
				}
			}
		}
		names = append(names, name)
	}
	return strings.Join(names, ", ")
}

// addIndicators inserts the indicators the database lacks (by code) and
// returns the ids of all of them.
func addIndicators(ctx context.Context, tx *store.Tx, inds []*Indicator) (map[string]int64, error) {
	ids := map[string]int64{}
	for _, x := range inds {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM stat_indicators WHERE code = ?`, x.Code).Scan(&id)
		if err == nil {
			ids[x.Code] = id
			continue
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO stat_indicators (code, name_vi, name_en, unit, value_type, agg_units, agg_time,
			period_type, categories, numerator, denominator, factor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			x.Code, x.NameVI, x.NameEN, x.Unit, x.ValueType, x.AggUnits, x.AggTime, x.PeriodType, strings.Join(x.Categories, ";"),
			x.Numerator, x.Denominator, x.Factor).Scan(&id)
		if err != nil {
			return nil, err
		}
		ids[x.Code] = id
	}
	return ids, nil
}

// AddIndicators adds indicators to the catalogue, those whose code it
// lacks (existing ones are left as they are). It is for loaders of data
// sets, such as egov bench stats; it checks no permission.
func (s *Service) AddIndicators(ctx context.Context, inds []*Indicator) error {
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		_, err := addIndicators(ctx, tx, inds)
		return err
	})
	if err != nil {
		return fmt.Errorf("reporting: add indicators: %w", err)
	}
	s.invalidate()
	return nil
}
