package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"egov/internal/app"
	"egov/internal/identity"
	"egov/internal/reporting"
	"egov/internal/store"
	"egov/internal/units"
)

// benchStats measures statistics at scale: it generates values for every
// commune of the demo tree (200 indicators disaggregated by sex and
// ethnicity, some also by urban/rural, over five years of months: about
// 10 million values), then in one run reports the import rate through the
// API, and the latency of three analytics queries beside the plain SQL
// GROUP BY over the same raw values on the same engine: the first answer
// after a restart (the values read from the database) and the next ones
// (from memory). Last it asks for every indicator, to show the memory
// limit at work.
func benchStatsCmd(ctx context.Context, e *env, args []string) error {
	fs, df := newFlagSet(e, "bench stats")
	values := fs.Int("values", 10_000_000, "values to generate (a uniform sample of the full design when fewer)")
	imports := fs.Int("import", 100_000, "values to import through POST /api/v1/dataValueSets")
	clients := fs.Int("clients", 2, "concurrent importers")
	runs := fs.Int("runs", 50, "runs of each analytics query")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	mem := addAnalyticsFlags(fs, e)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := mem.check(); err != nil {
		return err
	}
	stop, err := startProfile(*profile)
	if err != nil {
		return err
	}
	defer stop()
	return benchStats(ctx, e, df.db, *values, *imports, *clients, *runs, mem)
}

// Bench indicators: BENCH.001–BENCH.200 summed over units and time, the
// first 30 with 16 combos (sex × ethnicity × urban/rural), the others 8
// (sex × ethnicity); BENCH.R01 is BENCH.001 over BENCH.002 in percent.
const (
	benchIndicators = 200
	benchWide       = 30
	benchComputed   = "BENCH.R01"
)

func benchIndicatorList() []*reporting.Indicator {
	var out []*reporting.Indicator
	for i := 1; i <= benchIndicators; i++ {
		cats := []string{"gioitinh", "dantoc"}
		if i <= benchWide {
			cats = append(cats, "khuvuc")
		}
		out = append(out, &reporting.Indicator{Code: fmt.Sprintf("BENCH.%03d", i), NameVI: fmt.Sprintf("Chỉ tiêu thử %03d", i),
			NameEN: fmt.Sprintf("Bench indicator %03d", i), Unit: "người", ValueType: reporting.TypeNumber,
			AggUnits: reporting.AggSum, AggTime: reporting.AggSum, PeriodType: reporting.Monthly, Categories: cats, Factor: 1})
	}
	return append(out, &reporting.Indicator{Code: benchComputed, NameVI: "Tỷ lệ thử", NameEN: "Bench rate", Unit: "%",
		ValueType: reporting.TypePercentage, AggUnits: reporting.AggNone, AggTime: reporting.AggNone, PeriodType: reporting.Monthly,
		Numerator: "BENCH.001", Denominator: "BENCH.002", Factor: 100})
}

// benchSlot is a generated value's place but for indicator and combo: the indicator, the combo, the
// unit version and the month.
type benchSlot struct {
	unit  *units.Unit
	month reporting.Period
}

func benchStats(ctx context.Context, e *env, pgURL string, want, imports, clients, runs int, mem *analyticsFlags) error {
	out := e.stdout
	a, dsn, cleanup, err := benchApp(ctx, pgURL)
	if err != nil {
		return err
	}
	defer cleanup()
	mem.apply(a)
	rep := a.Reporting
	if err := rep.AddIndicators(ctx, benchIndicatorList()); err != nil {
		return err
	}
	cat, err := rep.Catalogue(ctx)
	if err != nil {
		return err
	}
	g, err := a.Units.Graph(ctx)
	if err != nil {
		return err
	}
	today := a.Units.Today()

	// Five years of months ending last month; in each, every commune
	// (level 3) of that month's structure.
	var slots []benchSlot
	y, m, _ := today.Date()
	first := time.Date(y, m-60, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 60; i++ {
		d := first.AddDate(0, i, 0)
		month := reporting.Period{Type: reporting.Monthly, Year: d.Year(), N: int(d.Month())}
		end := month.End().Time(time.UTC)
		for _, root := range g.Roots(end) {
			for _, u := range g.Subtree(root, end) {
				if u.Level == 3 {
					slots = append(slots, benchSlot{u, month})
				}
			}
		}
	}
	var inds []*reporting.Indicator
	full := 0
	for i := 1; i <= benchIndicators; i++ {
		ind := cat.Indicator(fmt.Sprintf("BENCH.%03d", i))
		inds = append(inds, ind)
		full += len(cat.Combos(ind)) * len(slots)
	}
	share := min(1, float64(want)/float64(full))
	fmt.Fprintf(out, "egov bench stats: %s, GOMAXPROCS %d, %d unit-months (%s to %s), full design %d values, sample %.3f\n\n",
		a.DB.Engine(), runtime.GOMAXPROCS(0), len(slots), slots[0].month, slots[len(slots)-1].month, full, share)

	// Generation: multi-row inserts straight into the table, in primary-key
	// order, a few thousand rows per statement. Not the measured path.
	start := time.Now()
	n, err := benchGenerate(ctx, a.DB, cat, inds, slots, share)
	if err != nil {
		return err
	}
	gen := time.Since(start)
	fmt.Fprintf(out, "%-34s %10d values in %s (%.0f values/s)\n", "generated (bulk insert)", n, gen.Round(time.Second), float64(n)/gen.Seconds())
	if a.DB.Engine() == store.Postgres {
		// What autovacuum does some time after a bulk load: the visibility
		// map lets index-only scans skip the table, and the statistics
		// let the planner choose them, for the loads and the GROUP BY alike.
		t := time.Now()
		if _, err := a.DB.ReadPool().ExecContext(ctx, `VACUUM (ANALYZE) stat_values`); err != nil {
			return err
		}
		fmt.Fprintf(out, "%-34s %10s in %s\n", "VACUUM (ANALYZE) stat_values", "", time.Since(t).Round(time.Second))
	}

	// Serve on loopback.
	base, stop, err := serveLoopback(a)
	if err != nil {
		return err
	}
	defer stop()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients + 1}}
	token, err := benchToken(client, base, "thongke.92")
	if err != nil {
		return err
	}

	// Import through the API: this month's reports of today's communes,
	// one data value set per commune and month (every indicator and combo),
	// from several clients.
	if imports > 0 {
		rate, sets, err := benchImport(client, base, token, cat, inds, g, today, imports, clients)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%-34s %10.0f values/s  (%d values in %d sets of about %d, %d clients)\n", "import (POST /dataValueSets)", rate,
			imports, sets, imports/max(1, sets), clients)
	}

	// Queries: a year that crosses the 2025 reorganisation (values on the
	// old communes until June, on the new ones from July).
	year := min(y-1, 2025)
	pe := fmt.Sprint(year)
	var dx []string
	var ids []any
	for _, ind := range inds[:20] {
		dx = append(dx, ind.Code)
		ids = append(ids, ind.ID)
	}
	// The demo's province today (Cần Thơ) and before the 2025
	// reorganisation (Sóc Trăng, with its districts).
	oldDay := time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)
	root, oldRoot := "92", "94"
	if g.At(root, today) == nil || g.At(oldRoot, oldDay) == nil {
		return errors.New("the demo units lack province 92 today or 94 on 2025-06-30")
	}
	from, to := pe+"-01-01", pe+"-12-31"
	inList := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
	num, den := cat.Indicator("BENCH.001").ID, cat.Indicator("BENCH.002").ID
	queries := []struct {
		name  string
		q     reporting.AnalyticsQuery
		sql   string
		args  []any
		label string
	}{
		{"20 indicators × communes", reporting.AnalyticsQuery{DX: dx, PE: []string{pe}, OU: []string{root, "LEVEL-3"}, At: today},
			`SELECT indicator_id, unit_id, SUM(num) FROM stat_values WHERE indicator_id IN (` + inList + `)
			AND period_start >= ? AND period_end <= ? GROUP BY indicator_id, unit_id`, append(append([]any{}, ids...), from, to),
			fmt.Sprintf("dx=20 pe=%s ou=%s;LEVEL-3 at=%s", pe, root, today.Format("2006-01-02"))},
		{"20 indicators × old districts", reporting.AnalyticsQuery{DX: dx, PE: []string{pe}, OU: []string{oldRoot, "LEVEL-2"}, At: oldDay},
			`SELECT v.indicator_id, u.parent_code, SUM(v.num) FROM stat_values v JOIN units u ON u.id = v.unit_id
			WHERE v.indicator_id IN (` + inList + `) AND v.period_start >= ? AND v.period_end <= ? GROUP BY v.indicator_id, u.parent_code`,
			append(append([]any{}, ids...), from, to), fmt.Sprintf("dx=20 pe=%s ou=%s;LEVEL-2 at=2025-06-30", pe, oldRoot)},
		{"computed indicator × communes", reporting.AnalyticsQuery{DX: []string{benchComputed}, PE: []string{pe}, OU: []string{root, "LEVEL-3"}, At: today},
			`SELECT unit_id, 100 * SUM(CASE WHEN indicator_id = ? THEN num END) / SUM(CASE WHEN indicator_id = ? THEN num END)
			FROM stat_values WHERE indicator_id IN (?, ?) AND period_start >= ? AND period_end <= ? GROUP BY unit_id`,
			[]any{num, den, num, den, from, to}, fmt.Sprintf("dx=%s pe=%s ou=%s;LEVEL-3", benchComputed, pe, root)},
	}
	fmt.Fprintf(out, "\nanalytics, %d runs each (in-process domain call; HTTP adds JSON and the round trip), GROUP BY over the raw values;\n", runs)
	fmt.Fprintf(out, "cold: the first answer of a new process on this database (its values read from the database, %d at a time):\n", runtime.GOMAXPROCS(0))
	for _, qq := range queries {
		cold, err := benchCold(ctx, dsn, mem, qq.q)
		if err != nil {
			return fmt.Errorf("%s: cold: %w", qq.name, err)
		}
		// This process's first call reads the indicators too (or, after
		// the import, those it changed).
		res, err := rep.Analytics(ctx, identity.SystemActor, qq.q)
		if err != nil {
			return fmt.Errorf("%s: %w", qq.name, err)
		}
		lat := make([]time.Duration, 0, runs)
		for range runs {
			t := time.Now()
			if _, err := rep.Analytics(ctx, identity.SystemActor, qq.q); err != nil {
				return err
			}
			lat = append(lat, time.Since(t))
		}
		httpLat := make([]time.Duration, 0, runs)
		u := base + "/api/v1/analytics?" + url.Values{"dx": {strings.Join(qq.q.DX, ";")}, "pe": {pe},
			"ou": {strings.Join(qq.q.OU, ";")}, "at": {qq.q.At.Format("2006-01-02")}}.Encode()
		for range runs {
			t := time.Now()
			if err := benchGet(client, u, token); err != nil {
				return err
			}
			httpLat = append(httpLat, time.Since(t))
		}
		sqlLat := make([]time.Duration, 0, runs)
		sqlRuns := max(3, runs/5)
		for range sqlRuns {
			t := time.Now()
			if err := benchQuery(ctx, a.DB, qq.sql, qq.args...); err != nil {
				return fmt.Errorf("%s: group by: %w", qq.name, err)
			}
			sqlLat = append(sqlLat, time.Since(t))
		}
		p50, p95 := percentiles(lat)
		h50, h95 := percentiles(httpLat)
		s50, _ := percentiles(sqlLat)
		fmt.Fprintf(out, "  %s (%s): %d cells\n", qq.name, qq.label, len(res.Rows))
		fmt.Fprintf(out, "    cold         %8.0f ms                 cold/GROUP BY %.1f\n", ms(cold), float64(cold)/float64(s50))
		fmt.Fprintf(out, "    pivot   p50 %8.2f ms  p95 %8.2f ms\n", ms(p50), ms(p95))
		fmt.Fprintf(out, "    HTTP    p50 %8.2f ms  p95 %8.2f ms\n", ms(h50), ms(h95))
		fmt.Fprintf(out, "    GROUP BY p50 %7.2f ms  (%d runs)   pivot/GROUP BY %.4f (%.0f× faster)\n", ms(s50), sqlRuns,
			float64(p50)/float64(s50), float64(s50)/float64(p50))
	}
	// Freshness: a value saved through the API is in the next answer, and
	// the next answer stays fast (the copy in memory takes the change in).
	if err := benchFreshness(ctx, out, client, base, token, rep, queries[0].q, today); err != nil {
		return err
	}
	memory := func(when string) {
		var ms_ runtime.MemStats
		// The memory the bulk insert and the loads freed goes back to the
		// system first, so that RSS shows what the process holds.
		debug.FreeOSMemory()
		runtime.ReadMemStats(&ms_)
		m := rep.AnalyticsMemory()
		fmt.Fprintf(out, "memory %s: RSS %s, Go heap in use %d MB; analytics holds %d indicators, %d MB estimated (limit %d MB)\n",
			when, procStatus("VmRSS"), ms_.HeapInuse>>20, m.Indicators, m.Bytes>>20, m.Limit>>20)
	}
	fmt.Fprintln(out)
	memory("after the queries")
	// Every indicator asked for, 20 at a time: what does not fit under the
	// limit is dropped, least recently used first.
	before := rep.AnalyticsMemory()
	t := time.Now()
	for i := 0; i < len(inds); i += 20 {
		var dx []string
		for _, ind := range inds[i:min(i+20, len(inds))] {
			dx = append(dx, ind.Code)
		}
		if _, err := rep.Analytics(ctx, identity.SystemActor, reporting.AnalyticsQuery{DX: dx, PE: []string{pe}, OU: []string{root, "LEVEL-3"}, At: today}); err != nil {
			return err
		}
	}
	took := time.Since(t)
	after := rep.AnalyticsMemory()
	fmt.Fprintf(out, "every indicator, 20 at a time: %d read in %s (%.0f ms per 20), %d dropped\n", after.Loads-before.Loads,
		took.Round(time.Millisecond), ms(took)*20/float64(max(1, after.Loads-before.Loads)), after.Evictions-before.Evictions)
	memory("after every indicator")
	fmt.Fprintf(out, "peak RSS of the run (the bulk insert included): %s\n", procStatus("VmHWM"))
	return nil
}

// benchCold opens the platform again on the same database, as a restarted
// process would (the operating system's cache stays warm), and times its
// first answer to q.
func benchCold(ctx context.Context, dsn string, mem *analyticsFlags, q reporting.AnalyticsQuery) (time.Duration, error) {
	a, err := app.Open(ctx, dsn, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return 0, err
	}
	defer a.Close()
	mem.apply(a)
	t := time.Now()
	_, err = a.Reporting.Analytics(ctx, identity.SystemActor, q)
	return time.Since(t), err
}

// benchValue is the generated value of a slot, 1–1000, and a hash of the
// slot that decides whether a sample takes it: deterministic, so that an
// import of the same slot sends the same value.
func benchValue(ind int64, combo int, unit int64, month reporting.Period) (v float64, h uint64) {
	x := uint64(ind)*0x9E3779B97F4A7C15 ^ uint64(combo)<<48 ^ uint64(unit)<<20 ^ uint64(month.Year*12+month.N)
	// splitmix64's finaliser.
	x ^= x >> 30
	x *= 0xBF58476D1CE4E5B9
	x ^= x >> 27
	x *= 0x94D049BB133111EB
	x ^= x >> 31
	return float64(x%1000 + 1), x
}

// benchGenerate inserts the sampled values in primary-key order.
func benchGenerate(ctx context.Context, db *store.DB, cat *reporting.Catalogue, inds []*reporting.Indicator, slots []benchSlot, share float64) (int, error) {
	const perStmt, perTx = 500, 40
	cols := `INSERT INTO stat_values (indicator_id, combo, unit_id, period, period_start, period_end, value, num, updated_by, updated_at) VALUES `
	row := "(?, ?, ?, ?, ?, ?, ?, ?, 'bench', '2026-01-01T00:00:00.000000000Z')"
	full := cols + strings.TrimSuffix(strings.Repeat(row+",", perStmt), ",")
	sort.Slice(slots, func(i, j int) bool {
		if slots[i].unit.ID != slots[j].unit.ID {
			return slots[i].unit.ID < slots[j].unit.ID
		}
		return slots[i].month.String() < slots[j].month.String()
	})
	limit := uint64(share * float64(1<<64-1))
	type stmt struct{ args []any }
	var pending []stmt
	args := make([]any, 0, perStmt*8)
	n := 0
	flushTx := func() error {
		if len(pending) == 0 {
			return nil
		}
		err := db.InTx(ctx, func(tx *store.Tx) error {
			st, err := tx.PrepareContext(ctx, full)
			if err != nil {
				return err
			}
			defer st.Close()
			for _, s := range pending {
				if rows := len(s.args) / 8; rows != perStmt {
					_, err = tx.ExecContext(ctx, cols+strings.TrimSuffix(strings.Repeat(row+",", rows), ","), s.args...)
				} else {
					_, err = st.ExecContext(ctx, s.args...)
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
		pending = pending[:0]
		return err
	}
	// The secondary indexes are dropped during the load and built again
	// after it, each in one sorted pass: inserting into them row by row
	// touches pages all over the file.
	rebuild, err := dropIndexes(ctx, db, "stat_values")
	if err != nil {
		return 0, err
	}
	for _, ind := range inds {
		for ci, combo := range cat.Combos(ind) {
			for _, s := range slots {
				v, h := benchValue(ind.ID, ci, s.unit.ID, s.month)
				if share < 1 && h > limit {
					continue
				}
				args = append(args, ind.ID, combo, s.unit.ID, s.month.String(), s.month.Start().String(), s.month.End().String(), fmt.Sprint(v), v)
				n++
				if len(args) == perStmt*8 {
					pending = append(pending, stmt{args})
					args = make([]any, 0, perStmt*8)
					if len(pending) == perTx {
						if err := flushTx(); err != nil {
							return n, err
						}
					}
				}
			}
		}
	}
	if len(args) > 0 {
		pending = append(pending, stmt{args})
	}
	if err := flushTx(); err != nil {
		return n, err
	}
	return n, rebuild()
}

// dropIndexes drops a table's secondary indexes and returns the function
// that creates them again from their stored definitions.
func dropIndexes(ctx context.Context, db *store.DB, table string) (rebuild func() error, err error) {
	q := `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL`
	if db.Engine() == store.Postgres {
		q = `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ?
			AND indexname NOT IN (SELECT conname FROM pg_constraint)`
	}
	rows, err := db.QueryContext(ctx, q, table)
	if err != nil {
		return nil, err
	}
	var names, defs []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return nil, err
		}
		names, defs = append(names, name), append(defs, def)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		for _, name := range names {
			if _, err := tx.ExecContext(ctx, `DROP INDEX `+name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return func() error {
		return db.InTx(ctx, func(tx *store.Tx) error {
			if tx.Engine() == store.Postgres {
				// Building an index over ten million rows takes longer
				// than the writer's statement timeout allows.
				if _, err := tx.ExecContext(ctx, `SET LOCAL statement_timeout = 0`); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `SET LOCAL maintenance_work_mem = '256MB'`); err != nil {
					return err
				}
			}
			for _, def := range defs {
				if _, err := tx.ExecContext(ctx, def); err != nil {
					return err
				}
			}
			return nil
		})
	}, nil
}

// benchImport posts this month's values of today's communes, one set per
// commune (every indicator and combo, or fewer to stop at total), from
// clients goroutines, and returns values per second and the sets posted.
func benchImport(client *http.Client, base, token string, cat *reporting.Catalogue, inds []*reporting.Indicator, g *units.Graph,
	today time.Time, total, clients int) (float64, int, error) {
	type dv struct {
		DataElement         string `json:"dataElement"`
		CategoryOptionCombo string `json:"categoryOptionCombo"`
		Value               string `json:"value"`
	}
	type set struct {
		Period     string `json:"period"`
		OrgUnit    string `json:"orgUnit"`
		DataValues []dv   `json:"dataValues"`
	}
	var communes []*units.Unit
	for _, r := range g.Roots(today) {
		for _, u := range g.Subtree(r, today) {
			if u.Level == 3 {
				communes = append(communes, u)
			}
		}
	}
	// Months from this one back, so that each set is new.
	var sets []set
	left := total
	for back := 0; left > 0 && back < 240; back++ {
		d := time.Date(today.Year(), today.Month()-time.Month(back), 1, 0, 0, 0, 0, time.UTC)
		if back > 0 && back < 61 {
			continue // the generated months
		}
		month := reporting.Period{Type: reporting.Monthly, Year: d.Year(), N: int(d.Month())}
		for _, u := range communes {
			s := set{Period: month.String(), OrgUnit: u.Code}
			for _, ind := range inds {
				for ci, c := range cat.Combos(ind) {
					if left == 0 {
						break
					}
					v, _ := benchValue(ind.ID, ci, u.ID, month)
					s.DataValues = append(s.DataValues, dv{ind.Code, c, fmt.Sprint(v)})
					left--
				}
			}
			if len(s.DataValues) > 0 {
				sets = append(sets, s)
			}
			if left == 0 {
				break
			}
		}
	}
	bodies := make([][]byte, len(sets))
	for i, s := range sets {
		bodies[i], _ = json.Marshal(s)
	}
	var mu sync.Mutex
	var firstErr error
	next, done := 0, 0
	start := time.Now()
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				if next == len(bodies) || firstErr != nil {
					mu.Unlock()
					return
				}
				i := next
				next++
				mu.Unlock()
				req, _ := http.NewRequest("POST", base+"/api/v1/dataValueSets", bytes.NewReader(bodies[i]))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				res, err := client.Do(req)
				if err == nil {
					var sum struct {
						Status   string
						Imported int
					}
					err = json.NewDecoder(res.Body).Decode(&sum)
					res.Body.Close()
					if err == nil && (res.StatusCode != http.StatusOK || sum.Imported != len(sets[i].DataValues)) {
						err = fmt.Errorf("import %s %s: %d, %s, %d imported of %d", sets[i].OrgUnit, sets[i].Period, res.StatusCode,
							sum.Status, sum.Imported, len(sets[i].DataValues))
					}
				}
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				done += len(sets[i].DataValues)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return float64(done) / time.Since(start).Seconds(), len(sets), firstErr
}

// benchFreshness saves BENCH.001 of today's first commune for December of
// the pivot's year twice through the API, 1000 apart, and times the pivot
// after the second save: the cell must have grown by exactly 1000.
func benchFreshness(ctx context.Context, out io.Writer, client *http.Client, base, token string, rep *reporting.Service,
	q reporting.AnalyticsQuery, today time.Time) error {
	res, err := rep.Analytics(ctx, identity.SystemActor, q)
	if err != nil || len(res.Units) == 0 {
		return fmt.Errorf("freshness: %v", err)
	}
	unit := res.Units[0].Code
	cell := func(res *reporting.AnalyticsResult) float64 {
		for _, r := range res.Rows {
			if r.DX == "BENCH.001" && r.OU == unit {
				return r.Value
			}
		}
		return 0
	}
	save := func(v int) error {
		body := fmt.Sprintf(`{"period":"%s12","orgUnit":"%s","dataValues":[{"dataElement":"BENCH.001","categoryOptionCombo":"nam_kinh_thanhthi","value":"%d"}]}`,
			q.PE[0], unit, v)
		req, _ := http.NewRequest("POST", base+"/api/v1/dataValueSets", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		r, err := client.Do(req)
		if err != nil {
			return err
		}
		defer r.Body.Close()
		io.Copy(io.Discard, r.Body)
		if r.StatusCode != http.StatusOK {
			return fmt.Errorf("freshness: save: %d", r.StatusCode)
		}
		return nil
	}
	if err := save(5000); err != nil {
		return err
	}
	res, err = rep.Analytics(ctx, identity.SystemActor, q)
	if err != nil {
		return err
	}
	before := cell(res)
	if err := save(6000); err != nil {
		return err
	}
	t := time.Now()
	res, err = rep.Analytics(ctx, identity.SystemActor, q)
	if err != nil {
		return err
	}
	took := time.Since(t)
	after := cell(res)
	fmt.Fprintf(out, "\nfreshness: a value saved through the API, then the pivot again: %.2f ms, the cell grew by %s (want 1000)\n",
		ms(took), reporting.FormatValue(after-before))
	if after-before != 1000 {
		return errors.New("freshness: the saved value is not in the next answer")
	}
	return nil
}

func benchGet(client *http.Client, u, token string) error {
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	io.Copy(io.Discard, res.Body)
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d", u, res.StatusCode)
	}
	return nil
}

// benchQuery runs a query and reads every row.
func benchQuery(ctx context.Context, db *store.DB, q string, args ...any) error {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	dest := make([]any, len(cols))
	for i := range dest {
		dest[i] = new(any)
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		n++
	}
	if n == 0 {
		return errors.New("no rows")
	}
	return rows.Err()
}

func percentiles(lat []time.Duration) (p50, p95 time.Duration) {
	if len(lat) == 0 {
		return 0, 0
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	at := func(q float64) time.Duration { return lat[min(len(lat)-1, int(q*float64(len(lat))))] }
	return at(0.50), at(0.95)
}

// procStatus reads a field of /proc/self/status ("" elsewhere).
func procStatus(field string) string {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return "?"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}
