package export

import (
	"strings"
	"testing"
)

func TestCheckIBAN(t *testing.T) {
	valid := []string{
		"DE89 3704 0044 0532 0130 00", "GB82 WEST 1234 5698 7654 32", "FR14 2004 1010 0505 0001 3M02 606",
		"AT61 1904 3002 3457 3201", "NL91ABNA0417164300", "BE68539007547034", "be68 5390 0754 7034",
		"NO9386011117947", "MT84MALT011000012345MTLCAST001S",
		"BR1800360305000010009795493C1", // not in the table: ISO 13616 alone
	}
	for _, s := range valid {
		if err := checkIBAN(compact(s)); err != nil {
			t.Errorf("checkIBAN(%q) = %v, want valid", s, err)
		}
	}
	for _, s := range []string{
		"DE89370400440532013001", "DE98370400440532013000", // check digits (wrong, swapped)
		"GB82WEST1234569876543", "DE8937040044053201300", // length
		"D589370400440532013000", "DEAB370400440532013000", "DE89-3704-0044-0532-0130", // form
		"DE89", "", "DE89370400440532013000ÄÖÜ", strings.Repeat("9", 35),
	} {
		if err := checkIBAN(compact(s)); err == nil {
			t.Errorf("checkIBAN(%q) accepted it", s)
		}
	}
}

func TestCheckBIC(t *testing.T) {
	for _, s := range []string{"DEUTDEFF", "DEUTDEFF500", "COBADEFFXXX", "ABNANL2A", "GIBAATWW", "BKAUATW2"} {
		if err := checkBIC(s); err != nil {
			t.Errorf("checkBIC(%q) = %v", s, err)
		}
	}
	// The schema's BICIdentifier refuses 0 and 1 as the 7th character and O as the 8th.
	for _, s := range []string{"DEUTDEF", "DEUTDEFF50", "DEUTDEFF5000", "DEU1DEFF", "DEUTDE1F", "DEUTDEFO"} {
		if err := checkBIC(s); err == nil {
			t.Errorf("checkBIC(%q) accepted it", s)
		}
	}
}
