// Package workcal is the Vietnamese lunar calendar and the working-day
// arithmetic of state bodies: which days are working days, when a time
// limit counted in working days ends, and from which day a dossier counts
// as received. It is pure computation: storage and HTTP live elsewhere.
//
// # Dates
//
// Date is a civil date (a day number, no zone): the dates of the working
// calendar are local dates in Vietnam. LocalDate turns an instant into its
// date in UTC+7 (ICT, a fixed zone; Vietnam keeps no daylight saving).
//
// # Lunar calendar
//
// SolarToLunar and LunarToSolar follow the rules of the Vietnamese lunar
// calendar (âm lịch), computed for the meridian of UTC+7:
//
//   - a month begins on the local day of the new moon;
//   - month 11 is the month that holds the December solstice (the Sun at
//     apparent longitude 270°);
//   - when 13 months run from one month 11 to the next, the first of them
//     after month 11 that holds no major solar term (trung khí: the Sun at a
//     multiple of 30°) is a leap month (tháng nhuận) repeating the number of
//     the month before it.
//
// Computing at UTC+7 rather than China's UTC+8 is why Vietnam's Tết is
// earlier in some years (1985-01-21 and 2007-02-17 against China's
// 1985-02-20 and 2007-02-18). New moons and solar longitudes come from the
// algorithms of Jean Meeus, "Astronomical Algorithms" (chapters 22, 25, 27,
// 49 and the truncated VSOP87 series of Appendix III) with the ΔT fits of
// Espenak and Meeus; they are accurate to about a minute, so a date can
// differ from a published calendar only when a new moon or a solar term
// falls within a minute or so of local midnight. Results are cached per
// year; years MinYear–MaxYear are supported. Before 1968 Vietnam's calendar
// was reckoned at UTC+8, so historical dates before then may differ.
//
// # Working days
//
// State bodies work Monday to Friday (Decision 188/1999/QĐ-TTg). The
// statutory days off (Labour Code 2019, art. 112), used by default for any
// year (DefaultHolidays):
//
//   - Tết Dương lịch: 1 January;
//   - Tết Nguyên Đán: five days; by default the last day of the old lunar
//     year (29 or 30 Tết) and days 1–4 of month 1 — the Government sets the
//     days each year and the announced schedule replaces this guess;
//   - Giỗ Tổ Hùng Vương: 10/3 of the lunar calendar;
//   - Ngày Chiến thắng: 30 April; Ngày Quốc tế Lao động: 1 May;
//   - Quốc khánh: 2 September and one day next to it. The law lets the
//     Government choose 1/9 or 3/9; the default takes the neighbour that is
//     a weekday, and when both are, the one that joins the break to a
//     weekend (2/9 on Tuesday → 1/9, on Thursday → 3/9), else 1/9
//     (Wednesday). That reproduces the choices of 2021–2026.
//
// A holiday on a Saturday or Sunday gives a compensatory day off (nghỉ bù)
// on the next working day that is not already off (art. 111(3)), holidays
// taken in date order. Two holidays on the same date (10/3 lunar can fall
// on 30/4 or 1/5) merge into one day off with both names; the law does not
// say that this earns another day.
//
// Each year the Government announces the public sector's actual schedule
// (days off, swapped weekdays and make-up Saturdays). New takes those
// announced days; a year with any announced day uses exactly its announced
// days off and make-up days, plus weekends, instead of the default rules.
// ParseCSV reads them from a date,kind,name file.
//
// # Periods
//
// A period counted in working days starts the day after the triggering day
// (Civil Code 2015, art. 147) and ends at the end of its last working day;
// when a period's last day is a day off it ends on the next working day
// (art. 148), which working-day arithmetic gives by construction.
// AddWorkingDays(from, n) is that last day; CountWorkingDays(a, b) counts
// the working days after a up to and including b, its inverse.
//
// A paper dossier received at or after 15:00 local time, or on a day off,
// counts as received on the next working day (Decree 61/2018/NĐ-CP as
// amended by Decree 107/2021/NĐ-CP; ReceptionCutoff). ReceptionDate gives
// that day; the due date of a procedure with a time limit of n working days
// is AddWorkingDays(ReceptionDate(t), n).
package workcal
