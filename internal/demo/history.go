package demo

import (
	"context"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"egov/internal/app"
	"egov/internal/audit"
	"egov/internal/dossier"
	"egov/internal/identity"
	"egov/internal/store"
	"egov/internal/units"
	"egov/internal/workcal"
)

// HistoryOptions shape the demo's dossier history.
type HistoryOptions struct {
	// Seed makes the history: the same seed, period and catalogue give the
	// same rows. 0 means DefaultHistorySeed.
	Seed uint64
	// From is the first day of the history (default 2021-01-01).
	From workcal.Date
	// Until is the moment the history reaches (default now): dossiers filed
	// later do not exist yet, and the steps of the others that would come
	// later have not happened, so recent dossiers are still open.
	Until time.Time
	// Scale multiplies the volume (default 1: about 50,000 dossiers over
	// 2021–2026). Tests use a small one.
	Scale float64
}

// DefaultHistorySeed is the seed of the history `egov demo` loads.
const DefaultHistorySeed = 20210101

// historyAction marks, in the audit log, that the history was loaded: it
// is loaded once per database.
const historyAction = "demo.history"

// LoadHistory writes a deterministic history of one-stop dossiers for the
// former Sóc Trăng territory (today's units under Thành phố Cần Thơ and
// every unit before them) from o.From to o.Until, unless a history was
// loaded before. Dossiers filed before 1 July 2025 sit on the communes of
// that day, with agency identifiers of their own, and count under today's
// communes through the units' history. It returns how many dossiers it
// wrote (0 when the history was already there).
//
// The rows go in with multi-row INSERTs in one transaction, not through
// the dossier service: the service's checks, its audit entry per step and
// one commit per dossier would take minutes. The dossiers follow the
// state machine of dossier.Act all the same (each event is a step Act
// allows), their due dates come from the procedures' time limits on the
// working calendar, and one audit entry records the load.
func LoadHistory(ctx context.Context, a *app.App, o HistoryOptions) (int, error) {
	var n int
	if err := a.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = ?`, historyAction).Scan(&n); err != nil {
		return 0, err
	}
	if n > 0 {
		return 0, nil
	}
	h, err := newHistory(ctx, a, o)
	if err != nil || h == nil {
		return 0, err
	}
	var written int
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := h.loadAgencies(ctx, tx); err != nil {
			return err
		}
		offsets, err := counterOffsets(ctx, tx)
		if err != nil {
			return err
		}
		ds := h.generate()
		h.number(ds, offsets)
		if err := writeHistory(ctx, tx, ds, workcal.LocalDate(h.until)); err != nil {
			return err
		}
		written = len(ds)
		return audit.Append(ctx, tx, &audit.Entry{ActorName: identity.SystemActor.Name(), Action: historyAction,
			ObjectType: "dossier", ObjectID: "", UnitCode: h.root.Code,
			Summary: fmt.Sprintf("lịch sử hồ sơ mẫu: %d hồ sơ từ %s đến %s (seed %d)", len(ds), h.from,
				workcal.LocalDate(h.until), h.seed)})
	})
	if err != nil {
		return 0, err
	}
	return written, nil
}

// Generated is one dossier of the history as it will be stored: the row
// and its steps.
type Generated struct {
	D       dossier.Dossier // without Fields
	Fields  string          // the form as stored (JSON)
	Agency  string
	Events  []GeneratedEvent
	PaidAt  time.Time // paid online (zero: not)
	counter int       // the sequence of the day at the agency
}

// GeneratedEvent is one step of a generated dossier.
type GeneratedEvent struct {
	At        time.Time
	ActorID   int64
	ActorName string
	Action    string
	From, To  dossier.Status
	Note      string
	DueDate   workcal.Date
}

// GenerateHistory returns the history LoadHistory would write, without
// writing it and without the dossier codes' sequence numbers. Tests use
// it to check determinism.
func GenerateHistory(ctx context.Context, a *app.App, o HistoryOptions) ([]*Generated, error) {
	h, err := newHistory(ctx, a, o)
	if err != nil || h == nil {
		return nil, err
	}
	for id, ident := range h.plannedAgencies() {
		h.agencies[id] = ident
	}
	return h.generate(), nil
}

// history is what the generator needs: the calendar, the units, the
// catalogue, the officers to name, and the options.
type history struct {
	seed     uint64
	from     workcal.Date
	until    time.Time
	scale    float64
	cal      *workcal.Calendar
	g        *units.Graph
	root     *units.Unit
	units    []*units.Unit // every commune-level version in the territory
	weight   map[int64]float64
	agencies map[int64]string
	procs    []*histProc
	officers map[int64]*deskCrew
	citizens []citizen
	anThanh  map[int64]bool // the units whose dossiers the demo citizens may own
	folded   map[string]string
	choices  map[choiceKey]*choice
}

// choiceKey selects the procedures a dossier may be of: those offering
// the channel, weighted for the season.
type choiceKey struct {
	c      dossier.Channel
	review bool // October to December: the poor-household review
}

type choice struct {
	ps  []*histProc
	cum []float64
}

type histProc struct {
	p      *dossier.Procedure
	weight float64
	online bool
	postal bool
}

// deskCrew are the officers who act on a unit's dossiers.
type deskCrew struct {
	receiver, specialist, leader officer
}

type officer struct {
	id   int64
	name string
}

// citizen is an applicant: a demo account, or a made-up walk-in.
type citizen struct {
	id                int64
	name, cccd, phone string
	email, username   string
	born              workcal.Date
	female            bool
}

// procedureWeights are the relative volumes of the seeded procedures at a
// commune: certification and civil status dominate. Other procedures
// weigh 1.
var procedureWeights = map[string]float64{
	"2.000815": 26, "2.000884": 8, "1.001193": 10, "1.000656": 4, "1.004873": 7, "1.000894": 4, "2.000635": 6,
	"1.004859": 2, "1.004884": 1, "1.001022": 0.5, "1.000689": 0.5, "1.004837": 0.3, "2.001035": 5, "2.001019": 0.5,
	"1.004222": 4, "1.004194": 4, "1.002755": 1, "1.010038": 1, "1.001612": 2, "2.000720": 1, "1.001570": 0.5,
	"1.001266": 0.5, "1.001776": 1.5, "1.001699": 0.5, "1.001731": 0.5, "1.011606": 1, "1.013225": 1.5,
}

func newHistory(ctx context.Context, a *app.App, o HistoryOptions) (*history, error) {
	h := &history{seed: o.Seed, from: o.From, until: o.Until, scale: o.Scale, folded: map[string]string{},
		choices: map[choiceKey]*choice{}}
	if h.seed == 0 {
		h.seed = DefaultHistorySeed
	}
	if h.from.IsZero() {
		h.from = workcal.NewDate(2021, 1, 1)
	}
	if h.until.IsZero() {
		h.until = a.Dossiers.Now()
	}
	if h.scale <= 0 {
		h.scale = 1
	}
	var err error
	if h.cal, err = a.Calendar.Calendar(ctx); err != nil {
		return nil, err
	}
	if h.g, err = a.Units.Graph(ctx); err != nil {
		return nil, err
	}
	today := a.Units.Today()
	if h.root = h.g.At("92", today); h.root == nil {
		return nil, nil
	}
	territory := h.g.Territory(h.root, today)
	for id := range territory {
		if u := h.g.ByID(id); u != nil && u.Level == 3 {
			h.units = append(h.units, u)
		}
	}
	sort.Slice(h.units, func(i, j int) bool {
		if h.units[i].Code != h.units[j].Code {
			return h.units[i].Code < h.units[j].Code
		}
		return h.units[i].ValidFrom.Before(h.units[j].ValidFrom)
	})
	h.weigh(today)
	ps, err := a.Procedures.List(ctx, dossier.ProcedureQuery{Level: 3})
	if err != nil {
		return nil, err
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].Code < ps[j].Code })
	for _, p := range ps {
		hp := &histProc{p: p, weight: 1}
		if w, ok := procedureWeights[p.Code]; ok {
			hp.weight = w
		}
		for _, c := range p.Channels {
			hp.online = hp.online || c == dossier.ChannelOnline
			hp.postal = hp.postal || c == dossier.ChannelPostal
		}
		h.procs = append(h.procs, hp)
	}
	if len(h.procs) == 0 || len(h.units) == 0 {
		return nil, nil
	}
	if err := h.readAgencies(ctx, a.DB); err != nil {
		return nil, err
	}
	return h, h.crews(ctx, a, today)
}

// weigh gives each commune a relative size: the communes of 2021 a
// deterministic one (wards and towns larger), every later unit the sum of
// the 2021 communes in its territory, so that the volume runs on smoothly
// across the mergers.
func (h *history) weigh(today time.Time) {
	h.weight = map[int64]float64{}
	first := h.from.Time(time.UTC)
	base := map[int64]float64{}
	for _, u := range h.units {
		if !u.ValidAt(first) {
			continue
		}
		w := 0.6 + 0.8*unitHash(u.Code)
		if u.Type == "Phường" || u.Type == "Thị trấn" {
			w *= 1.5
		}
		base[u.ID] = w
	}
	for _, u := range h.units {
		if w, ok := base[u.ID]; ok {
			h.weight[u.ID] = w
			continue
		}
		var w float64
		for id := range h.g.Territory(u, u.LastDay(today)) {
			w += base[id]
		}
		if w == 0 {
			w = 0.6 + 0.8*unitHash(u.Code)
		}
		h.weight[u.ID] = w
	}
}

func unitHash(s string) float64 {
	f := fnv.New64a()
	f.Write([]byte(s))
	return float64(f.Sum64()%10000) / 10000
}

func (h *history) readAgencies(ctx context.Context, q store.Querier) error {
	rows, err := q.QueryContext(ctx, `SELECT unit_id, identifier FROM unit_agencies`)
	if err != nil {
		return err
	}
	defer rows.Close()
	h.agencies = map[int64]string{}
	for rows.Next() {
		var id int64
		var ident string
		if err := rows.Scan(&id, &ident); err != nil {
			return err
		}
		h.agencies[id] = ident
	}
	return rows.Err()
}

// plannedAgencies are the identifiers the communes of the past get for
// their period, where they have none: 000.CC.DD.H94, DD the last two
// digits of the former district's code (41–51, Tỉnh Sóc Trăng being H94
// in the demo) and CC the commune's place among the district's units.
// Demo values in the national form, as LoadAgencies gives today's units.
func (h *history) plannedAgencies() map[int64]string {
	out := map[int64]string{}
	byParent := map[string]int{}
	for _, u := range h.units {
		if u.ValidTo.IsZero() || len(u.ParentCode) != 3 {
			continue
		}
		byParent[u.ParentCode]++
		if h.agencies[u.ID] == "" {
			out[u.ID] = fmt.Sprintf("000.%02d.%s.H94", byParent[u.ParentCode], u.ParentCode[1:])
		}
	}
	return out
}

// loadAgencies stores the planned identifiers (one already taken is
// skipped, and that unit gets no history).
func (h *history) loadAgencies(ctx context.Context, tx *store.Tx) error {
	planned := h.plannedAgencies()
	ids := make([]int64, 0, len(planned))
	for id := range planned {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `INSERT INTO unit_agencies (unit_id, identifier) VALUES (?, ?) ON CONFLICT DO NOTHING`,
			id, planned[id]); err != nil {
			return err
		}
	}
	return h.readAgencies(ctx, tx)
}

// crews names the officers of each unit: the demo accounts where a unit
// has them, else made-up user names in the demo's pattern.
func (h *history) crews(ctx context.Context, a *app.App, today time.Time) error {
	h.officers = map[int64]*deskCrew{}
	byUnit := map[string]*deskCrew{}
	for _, acc := range Accounts {
		if acc.UnitCode == "" || acc.Role == "" {
			continue
		}
		u, err := a.Identity.UserByName(ctx, acc.Username)
		if err != nil {
			continue // not loaded: made-up names serve
		}
		c := byUnit[acc.UnitCode]
		if c == nil {
			c = &deskCrew{}
			byUnit[acc.UnitCode] = c
		}
		o := officer{id: u.ID, name: u.Username}
		switch acc.Role {
		case identity.RoleReceiver:
			c.receiver = o
		case identity.RoleSpecialist:
			c.specialist = o
		case identity.RoleLeader:
			c.leader = o
		}
	}
	for _, u := range h.units {
		c := &deskCrew{receiver: officer{name: "motcua." + u.Code}, specialist: officer{name: "chuyenvien." + u.Code},
			leader: officer{name: "lanhdao." + u.Code}}
		if u.ValidAt(today) {
			if real := byUnit[u.Code]; real != nil {
				for _, p := range []struct{ dst, src *officer }{{&c.receiver, &real.receiver}, {&c.specialist, &real.specialist}, {&c.leader, &real.leader}} {
					if p.src.name != "" {
						*p.dst = *p.src
					}
				}
			}
		}
		h.officers[u.ID] = c
	}
	// The demo citizens own a few of the online dossiers of Xã An Thạnh
	// and its predecessors, so that "my dossiers" has a past.
	h.anThanh = map[int64]bool{}
	if u := h.g.At("31615", today); u != nil {
		h.anThanh = h.g.Territory(u, today)
	}
	for _, acc := range Accounts {
		if acc.Role != "" {
			continue
		}
		u, err := a.Identity.UserByName(ctx, acc.Username)
		if err != nil {
			continue
		}
		h.citizens = append(h.citizens, citizen{id: u.ID, name: u.FullName, cccd: u.CitizenID, phone: u.Phone,
			email: u.Email, username: u.Username})
	}
	return nil
}

// generate makes the dossiers day by day. Each day has its own random
// stream (from the seed and the date), so a day's dossiers do not depend
// on the days before it nor on where the history ends.
func (h *history) generate() []*Generated {
	var out []*Generated
	last := workcal.LocalDate(h.until)
	for d := h.from; !d.After(last); d = d.AddDays(1) {
		rng := rand.New(rand.NewPCG(h.seed, uint64(d)))
		var live []*units.Unit
		var cum []float64
		total := 0.0
		at := d.Time(time.UTC)
		for _, u := range h.units {
			if u.ValidAt(at) && h.agencies[u.ID] != "" {
				total += h.weight[u.ID]
				live = append(live, u)
				cum = append(cum, total)
			}
		}
		if len(live) == 0 {
			continue
		}
		working := h.cal.IsWorkingDay(d)
		mean := h.volume(d) * h.scale
		share := onlineShare(d)
		online, counter := mean*share, mean*(1-share)
		if !working {
			online, counter = online*0.3, 0
		}
		for _, ch := range []struct {
			c    dossier.Channel
			mean float64
		}{{dossier.ChannelDirect, counter}, {dossier.ChannelOnline, online}} {
			n := poisson(rng, ch.mean)
			for i := 0; i < n; i++ {
				u := live[pick(rng, cum)]
				c := ch.c
				if c == dossier.ChannelDirect && rng.Float64() < 0.03 {
					c = dossier.ChannelPostal
				}
				if g := h.dossier(rng, d, u, c); g != nil {
					out = append(out, g)
				}
			}
		}
	}
	return out
}

// volume is the expected number of dossiers on day d (a working day) over
// the whole territory: slowly growing, busy in the weeks before Tết and
// quiet right after it, low during the lockdown of summer 2021, busier at
// the start of the week.
func (h *history) volume(d workcal.Date) float64 {
	y := d.Year()
	v := 25 * (1 + 0.04*float64(y-2021))
	if tet, err := workcal.Tet(y + 1); err == nil && !d.Before(tet.AddDays(-35)) && d.Before(tet) {
		v *= 1.4 // the year-end rush before Tết of the next year
	}
	if tet, err := workcal.Tet(y); err == nil {
		switch {
		case !d.Before(tet.AddDays(-35)) && d.Before(tet):
			v *= 1.4
		case !d.Before(tet) && d.Before(tet.AddDays(14)):
			v *= 0.45
		}
	}
	switch {
	case !d.Before(workcal.NewDate(2021, 7, 19)) && d.Before(workcal.NewDate(2021, 10, 1)):
		v *= 0.45 // social distancing (Directive 16)
	case !d.Before(workcal.NewDate(2025, 7, 1)) && d.Before(workcal.NewDate(2025, 7, 15)):
		v *= 0.75 // the first weeks of the new communes
	}
	switch d.Weekday() {
	case time.Monday:
		v *= 1.15
	case time.Friday:
		v *= 0.92
	}
	return v
}

// onlineShare is the expected share of dossiers filed online on day d:
// about 10% in early 2021, past 50% in 2026, with a bump during the
// lockdown.
func onlineShare(d workcal.Date) float64 {
	start, end := workcal.NewDate(2021, 1, 1), workcal.NewDate(2026, 12, 31)
	x := math.Max(0, math.Min(1, float64(d.Sub(start))/float64(end.Sub(start))))
	s := 0.07 + 0.5*math.Pow(x, 1.2)
	if !d.Before(workcal.NewDate(2021, 7, 19)) && d.Before(workcal.NewDate(2021, 10, 1)) {
		s *= 1.8
	}
	return math.Min(s, 0.9)
}

func poisson(rng *rand.Rand, mean float64) int {
	if mean <= 0 {
		return 0
	}
	if mean > 30 {
		return max(0, int(math.Round(mean+rng.NormFloat64()*math.Sqrt(mean))))
	}
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// pick returns the index of a weighted choice by cumulative weights.
func pick(rng *rand.Rand, cum []float64) int {
	x := rng.Float64() * cum[len(cum)-1]
	return min(sort.SearchFloat64s(cum, x), len(cum)-1)
}

func (h *history) pickProcedure(rng *rand.Rand, d workcal.Date, c dossier.Channel) *histProc {
	key := choiceKey{c: c, review: d.Month() >= 10}
	ch := h.choices[key]
	if ch == nil {
		ch = &choice{}
		total := 0.0
		for _, p := range h.procs {
			if (c == dossier.ChannelOnline && !p.online) || (c == dossier.ChannelPostal && !p.postal) {
				continue
			}
			w := p.weight
			if p.p.Code == "1.011606" && key.review {
				w *= 4
			}
			total += w
			ch.cum = append(ch.cum, total)
			ch.ps = append(ch.ps, p)
		}
		h.choices[key] = ch
	}
	if len(ch.ps) == 0 {
		return nil
	}
	return ch.ps[pick(rng, ch.cum)]
}

// Office hours: the desk works 07:30–11:30 and 13:30–17:00.
var officeSpans = [][2]int{{7*60 + 30, 11*60 + 30}, {13*60 + 30, 17 * 60}}

// officeTime returns a random moment of office hours on day d, after
// (not before) t when t is that day; ok is false when none is left.
func officeTime(rng *rand.Rand, d workcal.Date, after time.Time) (time.Time, bool) {
	lo := 0
	if !after.IsZero() && workcal.LocalDate(after) == d {
		lt := after.In(workcal.ICT)
		lo = lt.Hour()*60 + lt.Minute() + 5
	} else if !after.IsZero() && workcal.LocalDate(after).After(d) {
		return time.Time{}, false
	}
	var spans [][2]int
	free := 0
	for _, s := range officeSpans {
		a := max(s[0], lo)
		if a < s[1] {
			spans = append(spans, [2]int{a, s[1]})
			free += s[1] - a
		}
	}
	if free == 0 {
		return time.Time{}, false
	}
	// Most steps follow soon: the earlier half of what is left is likelier.
	m := int(float64(free) * math.Pow(rng.Float64(), 1.8))
	for _, s := range spans {
		if m < s[1]-s[0] {
			min := s[0] + m
			return d.Time(workcal.ICT).Add(time.Duration(min)*time.Minute + time.Duration(rng.IntN(60))*time.Second), true
		}
		m -= s[1] - s[0]
	}
	return time.Time{}, false
}

// nextOffice returns a moment of office hours after t: on t's day if some
// is left and it is a working day, else on a following working day.
func (h *history) nextOffice(rng *rand.Rand, t time.Time) time.Time {
	d := workcal.LocalDate(t)
	if h.cal.IsWorkingDay(d) {
		if at, ok := officeTime(rng, d, t); ok {
			return at
		}
	}
	at, _ := officeTime(rng, h.cal.NextWorkingDay(d), time.Time{})
	return at
}

// onWorkingDay returns a moment of office hours on working day d after t.
func (h *history) onWorkingDay(rng *rand.Rand, d workcal.Date, t time.Time) time.Time {
	if workcal.LocalDate(t).After(d) {
		return h.nextOffice(rng, t)
	}
	if at, ok := officeTime(rng, d, t); ok {
		return at
	}
	return h.nextOffice(rng, t)
}

// sim plays a dossier's steps, in the order dossier.Act allows them,
// until the history's end.
type sim struct {
	h     *history
	g     *Generated
	until time.Time
	cut   bool
}

// step applies one step at at (kept after the last one), unless the
// history ends before it: then it and every later step do not happen.
func (s *sim) step(at time.Time, who officer, action string, note string, apply func(d *dossier.Dossier, at time.Time)) bool {
	if s.cut {
		return false
	}
	if n := len(s.g.Events); n > 0 && !at.After(s.g.Events[n-1].At) {
		at = s.g.Events[n-1].At.Add(time.Minute)
	}
	if at.After(s.until) {
		s.cut = true
		return false
	}
	d := &s.g.D
	from := d.Status
	apply(d, at)
	if action != "payment" {
		d.Version++
	}
	d.UpdatedAt = at
	s.g.Events = append(s.g.Events, GeneratedEvent{At: at, ActorID: who.id, ActorName: who.name, Action: action,
		From: from, To: d.Status, Note: note, DueDate: d.DueDate})
	return true
}

func (s *sim) last() time.Time { return s.g.Events[len(s.g.Events)-1].At }

var refusals = []string{
	"Hồ sơ không thuộc thẩm quyền giải quyết của Ủy ban nhân dân cấp xã",
	"Người yêu cầu không có quyền, lợi ích liên quan",
	"Giấy tờ xuất trình không hợp lệ",
	"Văn bản yêu cầu chứng thực có nội dung trái pháp luật",
}

var missing = []string{
	"Bổ sung bản sao giấy tờ chứng minh nơi cư trú",
	"Bổ sung văn bản ủy quyền có chứng thực",
	"Tờ khai còn thiếu chữ ký của người yêu cầu; bổ sung bản chụp giấy chứng sinh rõ nét",
	"Bổ sung giấy tờ chứng minh quan hệ nhân thân",
	"Bổ sung bản chính giấy tờ để đối chiếu",
}

var complaints = []string{
	"Phải đi lại nhiều lần",
	"Thời gian chờ tại bộ phận một cửa lâu",
	"Trả kết quả trễ hẹn",
	"Hướng dẫn chưa rõ ràng",
}

var praises = []string{"", "", "", "Cán bộ hướng dẫn tận tình", "Nhanh chóng, thuận tiện", "Hài lòng"}

// dossier makes one dossier filed on day d at unit u through channel c,
// and plays its steps.
func (h *history) dossier(rng *rand.Rand, d workcal.Date, u *units.Unit, c dossier.Channel) *Generated {
	hp := h.pickProcedure(rng, d, c)
	if hp == nil {
		return nil
	}
	p := hp.p
	crew := h.officers[u.ID]
	person := h.person(rng, d)
	var submitted time.Time
	if c == dossier.ChannelOnline {
		// Online at any hour from 06:00 to 23:00, most in the working day.
		min := 6*60 + int(17*60*math.Pow(rng.Float64(), 1.3))
		submitted = d.Time(workcal.ICT).Add(time.Duration(min)*time.Minute + time.Duration(rng.IntN(60))*time.Second)
		if len(h.citizens) > 0 && h.anThanh[u.ID] && rng.Float64() < 0.03 {
			person = h.citizens[rng.IntN(len(h.citizens))]
		}
	} else {
		var ok bool
		if submitted, ok = officeTime(rng, d, time.Time{}); !ok {
			return nil
		}
	}
	if submitted.After(h.until) {
		return nil
	}
	g := &Generated{Agency: h.agencies[u.ID]}
	dd := &g.D
	dd.Ref, dd.Status = randomRef(rng), dossier.StatusDraft
	dd.ProcedureCode, dd.UnitID, dd.Channel = p.Code, u.ID, c
	dd.ApplicantID, dd.ApplicantName, dd.ApplicantCCCD, dd.ApplicantPhone = person.id, person.name, person.cccd, person.phone
	if c == dossier.ChannelOnline && rng.Float64() < 0.6 {
		dd.ApplicantEmail = person.email
	}
	fields := h.fillForm(rng, p, person, u, d)
	fee, waived := p.Fee.Compute(fields)
	// Kept as the stored JSON: tens of thousands of maps would hold
	// several times the memory.
	if b, err := json.Marshal(fields); err == nil {
		g.Fields = string(b)
	}
	dd.Fee = fee
	if waived != nil {
		dd.FeeWaivedBy = waived.Field
	}
	dd.CreatedAt = submitted.Add(-time.Duration(3+rng.IntN(25)) * time.Minute)
	if c != dossier.ChannelOnline {
		dd.CreatedAt = submitted
	}
	s := &sim{h: h, g: g, until: h.until}
	applicant := officer{id: person.id, name: person.username}
	if applicant.name == "" {
		applicant.name = person.name
	}
	if c != dossier.ChannelOnline {
		applicant = crew.receiver // a walk-in has no account: the desk acts for them
	}
	due := func(dd *dossier.Dossier, at time.Time) {
		dd.ReceivedAt = at
		dd.DueDate = p.TimeLimit.Due(h.cal, at)
		dd.OriginalDueDate = dd.DueDate
	}
	year := float64(d.Year() - 2021)

	// Filing and reception.
	if c == dossier.ChannelOnline {
		dd.Version = 0
		s.step(submitted, applicant, "submit", "", func(dd *dossier.Dossier, at time.Time) { dd.Status, dd.SubmittedAt = dossier.StatusNew, submitted })
		if fee > 0 && rng.Float64() < 0.15+0.12*year {
			paid := submitted.Add(time.Duration(2+rng.IntN(40)) * time.Minute)
			if s.step(paid, officer{name: identity.SystemActor.Name()}, "payment", fmt.Sprintf("%d đồng, devpay %s", fee, txnOf(dd.Ref)),
				func(*dossier.Dossier, time.Time) {}) {
				g.PaidAt = s.last()
			}
		}
		r := rng.Float64()
		at := h.nextOffice(rng, s.last().Add(time.Duration(10+rng.IntN(200))*time.Minute))
		switch {
		case r < 0.03:
			s.step(at, crew.receiver, "refuse", refusals[rng.IntN(len(refusals))], func(dd *dossier.Dossier, at time.Time) {
				dd.Status, dd.FinishedAt = dossier.StatusRefused, at
			})
			return h.finish(g)
		case r < 0.037:
			s.step(submitted.Add(time.Duration(30+rng.IntN(600))*time.Minute), applicant, "withdraw", "Nộp nhầm thủ tục",
				func(dd *dossier.Dossier, at time.Time) { dd.Status, dd.FinishedAt = dossier.StatusWithdrawn, at })
			return h.finish(g)
		}
		s.step(at, crew.receiver, "receive", "", func(dd *dossier.Dossier, at time.Time) {
			dd.Status = dossier.StatusReceived
			due(dd, at)
		})
	} else {
		dd.Version = 0
		s.step(submitted, crew.receiver, "intake", "", func(dd *dossier.Dossier, at time.Time) {
			dd.Status, dd.SubmittedAt = dossier.StatusReceived, submitted
			due(dd, submitted)
		})
		if rng.Float64() < 0.008 {
			at := submitted.Add(time.Duration(5+rng.IntN(20)) * time.Minute)
			s.step(at, crew.receiver, "refuse", refusals[rng.IntN(len(refusals))], func(dd *dossier.Dossier, at time.Time) {
				dd.Status, dd.FinishedAt = dossier.StatusRefused, at
			})
			return h.finish(g)
		}
	}
	if s.cut {
		return h.finish(g)
	}

	// A request for documents, within the legal window; the applicant
	// completes the dossier and the time limit restarts, or gives up.
	if rng.Float64() < 0.06 {
		day := h.cal.AddWorkingDays(workcal.LocalDate(s.last()), rng.IntN(3))
		s.step(h.onWorkingDay(rng, day, s.last()), crew.receiver, "request-documents", missing[rng.IntN(len(missing))],
			func(dd *dossier.Dossier, at time.Time) {
				dd.Status, dd.HolderID = dossier.StatusSupplement, 0
				dd.SupplementRequests++
			})
		back := s.last().Add(time.Duration(1+rng.IntN(9)) * 24 * time.Hour)
		if c != dossier.ChannelOnline {
			back = h.nextOffice(rng, back)
		}
		if rng.Float64() < 0.08 {
			s.step(s.last().Add(time.Duration(15+rng.IntN(20))*24*time.Hour), crew.receiver, "withdraw",
				"Người yêu cầu không bổ sung hồ sơ, đề nghị rút hồ sơ", func(dd *dossier.Dossier, at time.Time) {
					dd.Status, dd.FinishedAt = dossier.StatusWithdrawn, at
				})
			return h.finish(g)
		}
		s.step(back, applicant, "supply-documents", "", func(dd *dossier.Dossier, at time.Time) {
			dd.Status, dd.Apologised = dossier.StatusReceived, false
			due(dd, at)
		})
	}

	// Assignment to the specialist.
	s.step(h.nextOffice(rng, s.last()), crew.receiver, "assign", "→ "+crew.specialist.name, func(dd *dossier.Dossier, at time.Time) {
		dd.Status, dd.HolderID = dossier.StatusProcessing, crew.specialist.id
	})
	r := rng.Float64()
	switch {
	case r < 0.012:
		s.step(h.nextOffice(rng, s.last().Add(time.Duration(rng.IntN(72))*time.Hour)), applicant, "withdraw",
			"Không còn nhu cầu", func(dd *dossier.Dossier, at time.Time) {
				dd.Status, dd.FinishedAt, dd.HolderID = dossier.StatusWithdrawn, at, 0
			})
		return h.finish(g)
	case r < 0.015:
		s.step(h.nextOffice(rng, s.last().Add(time.Duration(rng.IntN(72))*time.Hour)), crew.leader, "stop",
			"Người yêu cầu không liên hệ lại để hoàn thiện thủ tục", func(dd *dossier.Dossier, at time.Time) {
				dd.Status, dd.FinishedAt, dd.HolderID = dossier.StatusStopped, at, 0
			})
		return h.finish(g)
	case r < 0.019:
		// A second request for documents while processing: late by rule.
		day := h.cal.AddWorkingDays(workcal.LocalDate(dd.ReceivedAt), rng.IntN(3))
		s.step(h.onWorkingDay(rng, day, s.last()), crew.receiver, "request-documents", missing[rng.IntN(len(missing))],
			func(dd *dossier.Dossier, at time.Time) {
				dd.Status, dd.HolderID = dossier.StatusSupplement, 0
				dd.SupplementRequests++
			})
		back := s.last().Add(time.Duration(1+rng.IntN(6)) * 24 * time.Hour)
		s.step(back, applicant, "supply-documents", "", func(dd *dossier.Dossier, at time.Time) {
			dd.Status, dd.Apologised = dossier.StatusReceived, false
			due(dd, at)
		})
		s.step(h.nextOffice(rng, s.last()), crew.receiver, "assign", "→ "+crew.specialist.name, func(dd *dossier.Dossier, at time.Time) {
			dd.Status, dd.HolderID = dossier.StatusProcessing, crew.specialist.id
		})
	}

	// When it will be ready: most on time, many early, a few late (fewer
	// each year, more in the weeks after the 2025 reorganisation).
	start := workcal.LocalDate(s.last())
	limit := dd.DueDate
	pLate := math.Max(0.015, 0.07-0.011*year)
	if !d.Before(workcal.NewDate(2025, 7, 1)) && d.Before(workcal.NewDate(2025, 9, 1)) {
		pLate += 0.05
	}
	var ready workcal.Date
	switch r := rng.Float64(); {
	case r < pLate:
		ready = h.cal.AddWorkingDays(limit, 1+rng.IntN(4))
		// An apology with a new date, once, at least a working day before
		// the deadline (Mẫu 04).
		if latest := h.cal.AddWorkingDays(limit, -1); rng.Float64() < 0.45 && !latest.Before(start) {
			day := h.cal.AddWorkingDays(start, rng.IntN(max(1, h.cal.CountWorkingDays(start, latest))))
			if day.After(latest) {
				day = latest
			}
			newDate := ready
			s.step(h.onWorkingDay(rng, day, s.last()), crew.specialist, "apologise",
				"Cần xác minh thêm thông tin; hẹn lại ngày trả kết quả "+newDate.Time(time.UTC).Format("02/01/2006"),
				func(dd *dossier.Dossier, at time.Time) { dd.DueDate, dd.Apologised = newDate, true })
		}
	case r < pLate+0.5 && limit.After(start):
		ready = h.cal.AddWorkingDays(start, rng.IntN(max(1, h.cal.CountWorkingDays(start, limit))))
		if !ready.Before(limit) {
			ready = limit
		}
	default:
		ready = limit
	}
	if ready.Before(start) {
		ready = start
	}
	s.step(h.onWorkingDay(rng, ready, s.last()), crew.leader, "approve", "", func(dd *dossier.Dossier, at time.Time) { dd.Approved = true })
	s.step(h.onWorkingDay(rng, ready, s.last()), crew.specialist, "finish", "", func(dd *dossier.Dossier, at time.Time) {
		dd.Status, dd.FinishedAt, dd.HolderID = dossier.StatusResolved, at, 0
		if p.Result.Electronic {
			dd.Result = g.Agency + "-KQ1" // completed with the code below
		}
	})
	if s.cut {
		return h.finish(g)
	}
	var returned time.Time
	if c == dossier.ChannelOnline && p.Result.Electronic && rng.Float64() < 0.7 {
		returned = s.last().Add(time.Duration(5+rng.IntN(55)) * time.Minute)
	} else {
		day := h.cal.AddWorkingDays(workcal.LocalDate(s.last()), rng.IntN(3))
		returned = h.onWorkingDay(rng, day, s.last())
	}
	s.step(returned, crew.receiver, "return-result", "", func(dd *dossier.Dossier, at time.Time) {
		dd.Status, dd.ReturnedAt = dossier.StatusReturned, at
	})
	rate := 0.12
	if c == dossier.ChannelOnline {
		rate = 0.35
	}
	if rng.Float64() < rate {
		rating, note := 1, praises[rng.IntN(len(praises))]
		if rng.Float64() < 0.07 {
			rating, note = -1, complaints[rng.IntN(len(complaints))]
		}
		s.step(s.last().Add(time.Duration(10+rng.IntN(3*24*60))*time.Minute), applicant, "rate", note, func(dd *dossier.Dossier, at time.Time) {
			dd.Rating, dd.RatingComment = rating, note
		})
	}
	return h.finish(g)
}

func (h *history) finish(g *Generated) *Generated {
	if len(g.Events) == 0 {
		return nil
	}
	if g.D.UpdatedAt.IsZero() {
		g.D.UpdatedAt = g.D.CreatedAt
	}
	return g
}

func randomRef(rng *rand.Rand) string {
	var b [10]byte
	for i := range b {
		b[i] = byte(rng.UintN(256))
	}
	return strings.ToLower(base32.StdEncoding.EncodeToString(b[:]))
}

// txnOf is the development gateway's transaction of a generated payment.
func txnOf(ref string) string { return "H" + strings.ToUpper(ref[:12]) }

// counterOffsets reads the dossier counters already used, so that the
// history's numbers follow any dossier filed before it was loaded.
func counterOffsets(ctx context.Context, tx *store.Tx) (map[[2]string]int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT agency, day, n FROM dossier_counters`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[[2]string]int{}
	for rows.Next() {
		var agency, day string
		var n int
		if err := rows.Scan(&agency, &day, &n); err != nil {
			return nil, err
		}
		out[[2]string{agency, day}] = n
	}
	return out, rows.Err()
}

// number gives the dossiers their codes: per agency and day of filing, in
// the order they were filed, after the numbers already used.
func (h *history) number(ds []*Generated, used map[[2]string]int) {
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].D.SubmittedAt.Before(ds[j].D.SubmittedAt) })
	for _, g := range ds {
		day := workcal.LocalDate(g.D.SubmittedAt)
		key := [2]string{g.Agency, day.String()}
		used[key]++
		g.counter = used[key]
		y, m, dd := day.Date()
		g.D.Code = fmt.Sprintf("%s-%02d%02d%02d-%04d", g.Agency, y%100, int(m), dd, g.counter)
		if g.D.Result != "" {
			g.D.Result = g.D.Code + "-KQ1"
		}
	}
}
