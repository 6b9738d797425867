package demo

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"egov/internal/dossier"
	"egov/internal/units"
	"egov/internal/vntext"
	"egov/internal/workcal"
)

// Names of the region: Kinh, Khmer and Hoa families live side by side in
// Sóc Trăng.
var (
	surnames   = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi", "Lâm", "Lý", "Thạch", "Sơn", "Kim", "Danh", "Triệu", "Trương", "Quách", "Dương", "Châu", "Tăng"}
	maleMiddle = []string{"Văn", "Minh", "Thanh", "Quốc", "Hoàng", "Hữu", "Công"}
	femMiddle  = []string{"Thị", "Ngọc", "Thanh", "Kim", "Mỹ", "Thu", "Bích"}
	maleGiven  = []string{"An", "Bình", "Cường", "Dũng", "Đức", "Hải", "Hùng", "Khánh", "Lộc", "Nam", "Phúc", "Quang", "Sang", "Tâm", "Thành", "Tuấn", "Vũ", "Sóc", "Sà Rươne", "Chanh Đa"}
	femGiven   = []string{"Anh", "Châu", "Diễm", "Hà", "Hạnh", "Hằng", "Hoa", "Lan", "Linh", "Mai", "Ngân", "Nhung", "Phương", "Thảo", "Trang", "Vy", "Yến", "Sô Phia", "Ra Ny"}
	hamlets    = []string{"Ấp Phước Hòa", "Ấp Tân Quy", "Ấp Cầu Đen", "Ấp Bưng Tróp", "Ấp Chợ", "Ấp Mỹ Thuận", "Ấp Trà Canh", "Ấp Sóc Vồ", "Ấp Kinh Mới", "Ấp Bờ Đập"}
	khom       = []string{"Khóm 1", "Khóm 2", "Khóm 3", "Khóm 4", "Khóm 5", "Khóm 6"}
	ethnic     = []string{"Kinh", "Kinh", "Kinh", "Kinh", "Khmer", "Khmer", "Hoa"}
	documents  = []string{"Giấy khai sinh", "Bằng tốt nghiệp trung học phổ thông", "Sổ hộ khẩu", "Giấy chứng nhận quyền sử dụng đất", "Học bạ", "Hợp đồng lao động", "Giấy xác nhận tình trạng hôn nhân"}
	issuers    = []string{"Ủy ban nhân dân xã", "Trường THPT Lê Lợi", "Sở Tài nguyên và Môi trường tỉnh Sóc Trăng", "Công an huyện", "Trường Đại học Cần Thơ"}
	purposes   = []string{"Đăng ký kết hôn", "Bổ sung hồ sơ vay vốn ngân hàng", "Làm thủ tục xuất cảnh lao động", "Bổ sung hồ sơ xin việc"}
	reasons    = []string{"Theo hồ sơ kèm theo", "Gia đình có hoàn cảnh khó khăn", "Điều chỉnh theo giấy tờ tùy thân", "Thay đổi nơi cư trú"}
)

func one(rng *rand.Rand, xs []string) string { return xs[rng.IntN(len(xs))] }

func personName(rng *rand.Rand, female bool) string {
	middle, given := maleMiddle, maleGiven
	if female {
		middle, given = femMiddle, femGiven
	}
	return one(rng, surnames) + " " + one(rng, middle) + " " + one(rng, given)
}

// person makes up an adult applicant filing on day d.
func (h *history) person(rng *rand.Rand, d workcal.Date) citizen {
	female := rng.IntN(2) == 1
	name := personName(rng, female)
	born := d.AddDays(-(18*365 + rng.IntN(55*365)))
	y := born.Year()
	// A citizen ID of Sóc Trăng (094), century and sex digit, year of birth.
	sex := 0
	if female {
		sex = 1
	}
	if y >= 2000 {
		sex += 2
	}
	cccd := fmt.Sprintf("094%d%02d%06d", sex, y%100, rng.IntN(1000000))
	prefixes := []string{"091", "094", "088", "097", "098", "086", "070", "079", "077", "083"}
	phone := one(rng, prefixes) + fmt.Sprintf("%07d", rng.IntN(10000000))
	folded, ok := h.folded[name]
	if !ok {
		folded = strings.ReplaceAll(vntext.Fold(name), " ", "")
		h.folded[name] = folded
	}
	return citizen{name: name, cccd: cccd, phone: phone, email: folded + strconv.Itoa(rng.IntN(100)) + "@example.vn", born: born,
		female: female}
}

// address is a made-up address in unit u as it was on day d.
func (h *history) address(rng *rand.Rand, u *units.Unit, d workcal.Date) string {
	place := one(rng, hamlets)
	if u.Type == "Phường" || u.Type == "Thị trấn" {
		place = fmt.Sprintf("Số %d, %s", 1+rng.IntN(200), one(rng, khom))
	}
	parts := []string{place, u.Name}
	if p := h.g.Parent(u, d.Time(time.UTC)); p != nil && p.Level == 2 {
		parts = append(parts, p.Name, "tỉnh Sóc Trăng")
	} else {
		parts = append(parts, "thành phố Cần Thơ")
	}
	return strings.Join(parts, ", ")
}

// fillForm answers the procedure's form for person, the way an applicant
// would: the applicant's own name, ID, phone and address in the fields
// about them, plausible values elsewhere. File fields are left to
// attachments, which the history does not make.
func (h *history) fillForm(rng *rand.Rand, p *dossier.Procedure, person citizen, u *units.Unit, d workcal.Date) map[string]string {
	out := map[string]string{}
	// The first name, ID number and date of birth asked are the applicant's.
	seen := map[string]bool{}
	first := func(kind string) bool {
		if seen[kind] {
			return false
		}
		seen[kind] = true
		return true
	}
	date := func(x workcal.Date) string { return x.String() }
	for _, f := range p.Form.Fields {
		n := f.Name
		var v string
		switch f.Type {
		case dossier.TypeFile:
			continue
		case dossier.TypeText:
			switch {
			case strings.HasSuffix(n, "full_name"):
				switch {
				case first("name"):
					v = person.name
				case strings.HasPrefix(n, "mother") || strings.HasPrefix(n, "wife"):
					v = personName(rng, true)
				case strings.HasPrefix(n, "father") || strings.HasPrefix(n, "husband"):
					v = personName(rng, false)
				default:
					v = personName(rng, rng.IntN(2) == 1)
				}
			case strings.Contains(n, "address") || strings.HasSuffix(n, "place"):
				v = h.address(rng, u, d)
			case strings.Contains(n, "ethnicity"):
				v = one(rng, ethnic)
			case n == "business_name":
				v = "Hộ kinh doanh " + one(rng, []string{"Tạp hóa", "Quán ăn", "Tiệm may", "Sửa xe", "Cà phê"}) + " " + one(rng, femGiven)
			case n == "registration_number":
				v = fmt.Sprintf("59A8%06d", rng.IntN(1000000))
			case n == "document_name":
				v = one(rng, documents)
			case n == "document_issuer":
				v = one(rng, issuers)
			case n == "purpose":
				v = one(rng, purposes)
			case n == "land_parcel":
				v = fmt.Sprintf("Thửa đất số %d, tờ bản đồ số %d", 1+rng.IntN(900), 1+rng.IntN(40))
			case strings.Contains(n, "relation"):
				v = one(rng, []string{"Con", "Cha", "Mẹ", "Vợ", "Chồng"})
			default:
				v = one(rng, reasons)
			}
		case dossier.TypeTextarea:
			v = one(rng, reasons)
		case dossier.TypeCCCD:
			v = person.cccd
			if !first("cccd") {
				v = h.person(rng, d).cccd
			}
		case dossier.TypePhone:
			v = person.phone
		case dossier.TypeEmail:
			if rng.IntN(2) == 0 {
				continue
			}
			v = person.email
		case dossier.TypeDate:
			switch {
			case strings.Contains(n, "child") || strings.HasPrefix(n, "recognised") && strings.Contains(n, "birth"):
				v = date(d.AddDays(-1 - rng.IntN(55)))
			case strings.Contains(n, "birth"):
				if first("birth") {
					v = date(person.born)
				} else {
					v = date(d.AddDays(-(18*365 + rng.IntN(60*365))))
				}
			case strings.Contains(n, "death"):
				v = date(d.AddDays(-1 - rng.IntN(12)))
			case strings.Contains(n, "expiry") || strings.Contains(n, "until") || strings.HasPrefix(n, "end"):
				v = date(d.AddDays(30 + rng.IntN(330)))
			default:
				v = date(d.AddDays(rng.IntN(20)))
			}
		case dossier.TypeSelect:
			if len(f.Options) == 0 {
				continue
			}
			v = f.Options[rng.IntN(len(f.Options))].Value
			if strings.HasPrefix(n, "requester_sex") {
				v = "nam"
				if person.female {
					v = "nu"
				}
			}
		case dossier.TypeNumber:
			lo, hi := int64(1), int64(5)
			switch {
			case n == "pages":
				hi = 12
			case n == "capital":
				lo, hi = 20_000_000, 500_000_000
			case strings.Contains(n, "area"):
				lo, hi = 50, 250
			case n == "household_size":
				lo, hi = 2, 7
			case n == "copies" || n == "floors":
				hi = 3
			}
			if f.Min != nil && lo < *f.Min {
				lo = *f.Min
			}
			if f.Max != nil && hi > *f.Max {
				hi = *f.Max
			}
			if hi < lo {
				hi = lo
			}
			v = strconv.FormatInt(lo+rng.Int64N(hi-lo+1), 10)
		case dossier.TypeCheckbox:
			chance := 0.04 // the exemptions
			switch {
			case n == "on_time":
				chance = 0.9
			case strings.Contains(n, "consent"):
				chance = 1
			case n == "agri_mortgage":
				chance = 0.2
			}
			if rng.Float64() >= chance {
				continue
			}
			v = "yes"
		default:
			continue
		}
		out[n] = v
	}
	return out
}
