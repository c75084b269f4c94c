"""CSV as papaparse wrote it (core.md §1.5)."""

from lightrail.http.csv import to_csv


def test_empty_list_is_only_the_bom():
    assert to_csv([]) == "\ufeff"


def test_header_from_first_row_and_crlf_between_rows():
    assert to_csv([{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]) == "\ufeffa,b\r\n1,x\r\n2,y"


def test_quoting_rules():
    row = {"comma": "a,b", "quote": 'say "hi"', "lead": " x", "trail": "x ", "newline": "a\nb", "plain": "ok"}
    assert to_csv([row]).split("\r\n", 1)[1] == '"a,b","say ""hi"""," x","x ","a\nb",ok'


def test_objects_become_json_and_nulls_empty():
    assert to_csv([{"m": {"k": 1}, "n": None, "t": True, "l": [1, 2]}]).split("\r\n")[1] == '"{""k"":1}",,true,"1,2"'
