package identity

// Role is what a person may do on a unit. A role granted on a unit covers
// the unit's subtree and the territory of its predecessors (units.Territory).
type Role string

const (
	RoleAdmin         Role = "admin"          // quản trị: users, grants, calendar, audit of the subtree
	RoleReceiver      Role = "receiver"       // một cửa: receives and returns dossiers
	RoleSpecialist    Role = "specialist"     // chuyên viên: processes dossiers and documents
	RoleLeader        Role = "leader"         // lãnh đạo: approves, signs, sees everything of the unit
	RoleReporter      Role = "reporter"       // báo cáo: enters statistics for the unit
	RoleStatistician  Role = "statistician"   // thống kê: approves and analyses statistics
	RoleTraceOperator Role = "trace_operator" // truy xuất: records traceability events
	RoleAccountant    Role = "accountant"     // kế toán: reconciles the fees collected
)

// Roles lists every role in the order the UI shows them.
var Roles = []Role{RoleAdmin, RoleReceiver, RoleSpecialist, RoleLeader, RoleReporter, RoleStatistician, RoleTraceOperator,
	RoleAccountant}

// Permission is one kind of action on a unit's objects.
type Permission string

const (
	PermUsersManage      Permission = "users.manage"      // create officers, grant and revoke roles
	PermAuditRead        Permission = "audit.read"        // browse the audit log
	PermCalendarManage   Permission = "calendar.manage"   // edit announced days off (whole tree only)
	PermUnitsManage      Permission = "units.manage"      // import units and mergers (whole tree only)
	PermProceduresManage Permission = "procedures.manage" // import the procedure catalogue (whole tree only)

	PermDossierRead    Permission = "dossier.read"
	PermDossierReceive Permission = "dossier.receive"
	PermDossierProcess Permission = "dossier.process"
	PermDossierApprove Permission = "dossier.approve"
	// PermPaymentsRead reads the fees paid for the unit's dossiers: the
	// reconciliation list and the receipts. It shows who paid for which
	// procedure, not the dossiers themselves.
	PermPaymentsRead Permission = "payments.read"

	// PermDossierStats reads the one-stop figures of a unit's territory
	// (the leaders' page, its export, the scorecard) without the dossiers.
	PermDossierStats Permission = "dossier.stats"

	PermStatsEnter   Permission = "stats.enter"
	PermStatsApprove Permission = "stats.approve"
	PermStatsAnalyse Permission = "stats.analyse"

	PermTraceCapture Permission = "trace.capture"
	// PermTraceManage manages the traceability master data of every
	// organisation (organisations, their operators, places, products,
	// lots, certifications) and sees every event (whole tree only).
	PermTraceManage Permission = "trace.manage"

	PermPersonalDataRead Permission = "personal.read" // unmasked citizen identity data
)

// Policy is the permission policy: what each role may do on the units its
// grant covers. It is the one place where roles meet permissions; the
// matrix test (TestPolicyMatrix in identity_test.go) walks it.
var Policy = map[Role][]Permission{
	RoleAdmin:         {PermUsersManage, PermAuditRead, PermCalendarManage, PermUnitsManage, PermProceduresManage, PermTraceManage},
	RoleReceiver:      {PermDossierRead, PermDossierReceive, PermPersonalDataRead, PermPaymentsRead},
	RoleSpecialist:    {PermDossierRead, PermDossierProcess, PermPersonalDataRead},
	RoleLeader:        {PermDossierRead, PermDossierApprove, PermDossierStats, PermAuditRead, PermStatsApprove, PermStatsAnalyse, PermPersonalDataRead, PermPaymentsRead},
	RoleReporter:      {PermStatsEnter, PermDossierStats},
	RoleStatistician:  {PermStatsEnter, PermStatsApprove, PermStatsAnalyse, PermDossierStats},
	RoleTraceOperator: {PermTraceCapture},
	RoleAccountant:    {PermPaymentsRead},
}

// wholeTreeOnly are permissions that only a grant on the whole tree gives:
// they change data every unit shares.
var wholeTreeOnly = map[Permission]bool{
	PermCalendarManage:   true,
	PermUnitsManage:      true,
	PermProceduresManage: true,
	PermTraceManage:      true,
}

func roleHas(r Role, p Permission) bool {
	for _, q := range Policy[r] {
		if q == p {
			return true
		}
	}
	return false
}

// ValidRole reports whether r is a known role.
func ValidRole(r Role) bool {
	_, ok := Policy[r]
	return ok
}
