package reporting

// CubeLoads is how many times analytics read an indicator's values from
// the database rather than from memory.
func (s *Service) CubeLoads() int64 { return s.cube.loads.Load() }
