package reporting

// CubeLoads is how many times analytics read an indicator's values from
// the database rather than from memory.
func (s *Service) CubeLoads() int64 { return s.cube.loads.Load() }

// SetCubeHooks sets functions the cube calls as a load begins to read an
// indicator's values, and as a query begins to wait for another query's
// load (nil: none). Set them before the queries start.
func (s *Service) SetCubeHooks(load, wait func(id int64)) {
	s.cube.loadHook, s.cube.waitHook = load, wait
}
