package demo

import (
	"context"
	"fmt"

	"egov"
	"egov/internal/identity"
	"egov/internal/units"
)

// Account is one demo account.
type Account struct {
	Username  string
	FullName  string
	Role      identity.Role // "" for a citizen
	UnitCode  string        // "" with a role: the whole tree
	CitizenID string
	Phone     string
	What      string // what the account is for, shown at start
}

// Accounts are the demo accounts; all share the demo password.
var Accounts = []Account{
	{Username: "admin", FullName: "Quản trị hệ thống", Role: identity.RoleAdmin, What: "quản trị toàn hệ thống / administrator of the whole tree"},
	{Username: "lanhdao.92", FullName: "Trần Minh Tuấn", Role: identity.RoleLeader, UnitCode: "92", What: "lãnh đạo Thành phố Cần Thơ / leader of Cần Thơ"},
	{Username: "motcua.31615", FullName: "Lâm Thị Hồng", Role: identity.RoleReceiver, UnitCode: "31615", What: "một cửa Xã An Thạnh / one-stop receiver"},
	{Username: "chuyenvien.31615", FullName: "Nguyễn Văn Phúc", Role: identity.RoleSpecialist, UnitCode: "31615", What: "chuyên viên Xã An Thạnh / specialist"},
	{Username: "lanhdao.31615", FullName: "Thạch Sô Phên", Role: identity.RoleLeader, UnitCode: "31615", What: "lãnh đạo Xã An Thạnh / leader"},
	{Username: "motcua.31507", FullName: "Lý Thị Mai", Role: identity.RoleReceiver, UnitCode: "31507", What: "một cửa Phường Sóc Trăng / one-stop receiver"},
	{Username: "ketoan.31615", FullName: "Trương Thị Thu", Role: identity.RoleAccountant, UnitCode: "31615", What: "kế toán Xã An Thạnh / accountant"},
	{Username: "thongke.31615", FullName: "Đặng Quốc Bảo", Role: identity.RoleReporter, UnitCode: "31615", What: "báo cáo số liệu Xã An Thạnh / reporter"},
	{Username: "thongke.92", FullName: "Huỳnh Thanh Vân", Role: identity.RoleStatistician, UnitCode: "92", What: "thống kê Thành phố Cần Thơ / statistician"},
	{Username: "htx.st25", FullName: "HTX Lúa gạo ST25 Gia Hòa", Role: identity.RoleTraceOperator, UnitCode: "31726", What: "truy xuất nguồn gốc, hợp tác xã lúa ST25 / rice cooperative"},
	// The other organisations of the traceability demo (trace.go), one operator each.
	{Username: "xay.myxuyen", FullName: "Trần Văn Hậu", Role: identity.RoleTraceOperator, UnitCode: "31684", What: "truy xuất, nhà máy xay xát Mỹ Xuyên / rice mill"},
	{Username: "donggoi.st25", FullName: "Lê Thị Ngọc", Role: identity.RoleTraceOperator, UnitCode: "31507", What: "truy xuất, đóng gói gạo ST25 / rice packer"},
	{Username: "sieuthi.phuloi", FullName: "Phạm Minh Trí", Role: identity.RoleTraceOperator, UnitCode: "31510", What: "truy xuất, siêu thị / retailer"},
	{Username: "tom.vinhhai", FullName: "Thạch Thị Sa Rươl", Role: identity.RoleTraceOperator, UnitCode: "31795", What: "truy xuất, ao tôm Vĩnh Hải / shrimp farm"},
	{Username: "chebien.vinhchau", FullName: "Võ Thanh Tâm", Role: identity.RoleTraceOperator, UnitCode: "31783", What: "truy xuất, chế biến thủy sản / shrimp processor"},
	{Username: "xuatkhau.trande", FullName: "Huỳnh Kim Anh", Role: identity.RoleTraceOperator, UnitCode: "31673", What: "truy xuất, xuất khẩu thủy sản / exporter"},
	{Username: "htx.culaodung", FullName: "Nguyễn Văn Út", Role: identity.RoleTraceOperator, UnitCode: "31633", What: "truy xuất, HTX trái cây Cù Lao Dung / fruit cooperative"},
	{Username: "congdan.1", FullName: "Nguyễn Thị Lan", CitizenID: "094190001234", Phone: "0912345678", What: "công dân / citizen"},
	{Username: "congdan.2", FullName: "Sơn Văn Đức", CitizenID: "094085004321", Phone: "0987654321", What: "công dân / citizen"},
}

// LoadAccounts creates the demo accounts that do not exist yet, with the
// given password. Existing accounts are left as they are.
func LoadAccounts(ctx context.Context, ids *identity.Service, us *units.Service, password string) error {
	g, err := us.Graph(ctx)
	if err != nil {
		return err
	}
	today := us.Today()
	for _, acc := range Accounts {
		if _, err := ids.UserByName(ctx, acc.Username); err == nil {
			continue
		} else if egov.ErrorCode(err) != egov.ENOTFOUND {
			return err
		}
		nu := identity.NewUser{Username: acc.Username, FullName: acc.FullName, CitizenID: acc.CitizenID,
			Phone: acc.Phone, Email: acc.Username + "@demo.egov.invalid", Password: password}
		if acc.Role == "" {
			if _, err := ids.Register(ctx, nu); err != nil {
				return fmt.Errorf("demo account %s: %w", acc.Username, err)
			}
			continue
		}
		var unitID int64
		if acc.UnitCode != "" {
			u := g.At(acc.UnitCode, today)
			if u == nil {
				return fmt.Errorf("demo account %s: no unit %s today", acc.Username, acc.UnitCode)
			}
			unitID = u.ID
		}
		if _, err := ids.CreateOfficer(ctx, identity.SystemActor, nu, acc.Role, unitID); err != nil {
			return fmt.Errorf("demo account %s: %w", acc.Username, err)
		}
	}
	return nil
}
