"""Go text/template and Sprig behaviours the chart checker must reproduce (run by deploy/validate.sh).

Each expectation is what `helm template` produces for the same input; the ones that surprise
chart authors (1e+06, int/float comparisons, trim markers, variable scope) come first.
"""

import os
import sys
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gotemplate as gt  # noqa: E402


def run(src, data=None, defines=""):
    engine = gt.Engine()
    if defines:
        engine.add_file("defs.tpl", defines)
    engine.add_file("t", src)
    return engine.render("t", data if data is not None else {})


class HelmQuirks(unittest.TestCase):
    def test_values_numbers_are_float64_and_big_ones_print_in_exponent_form(self):
        values = gt.helm_values({"n": 1000000, "m": 123456, "r": 3})
        self.assertEqual(run("{{ .n }} {{ .m }} {{ .r }}", values), "1e+06 123456 3")
        self.assertEqual(run("{{ int .n }}", values), "1000000")
        self.assertEqual(run("{{ .n | quote }}", values), '"1e+06"')

    def test_go_float_formatting(self):
        cases = {0.5: "0.5", 20.0: "20", 1234567.0: "1.234567e+06", 1.5e-05: "1.5e-05",
                 0.0001: "0.0001", -2.0: "-2", 100000.0: "100000", 1e21: "1e+21"}
        for value, want in cases.items():
            self.assertEqual(gt.go_float(value), want, value)

    def test_printf_d_of_a_float_is_a_format_error(self):
        values = gt.helm_values({"port": 80})
        self.assertEqual(run('{{ printf "%d" .port }}', values), "%!d(float64=80)")
        self.assertEqual(run('{{ printf "%d" (int .port) }}', values), "80")
        self.assertEqual(run('{{ printf "%02d:%02d" 5 7 }}'), "05:07")
        self.assertEqual(run('{{ printf "%d" }}'), "%!d(MISSING)")
        self.assertTrue(run('{{ printf "%s" 3 }}').startswith("%!s("))

    def test_eq_of_int_and_float_fails(self):
        values = gt.helm_values({"replicas": 3})
        with self.assertRaises(gt.TemplateError):
            run("{{ eq .replicas 3 }}", values)
        self.assertEqual(run("{{ eq (int .replicas) 3 }}", values), "true")
        self.assertEqual(run('{{ eq "a" "b" "a" }}', values), "true")

    def test_toyaml_renders_integral_floats_as_integers(self):
        values = gt.helm_values({"r": {"cpu": 1, "memory": "1Gi", "list": [1, 2]}})
        self.assertEqual(run("{{ toYaml .r }}", values), "cpu: 1\nlist:\n- 1\n- 2\nmemory: 1Gi")
        self.assertEqual(run("{{ toYaml .e }}", gt.helm_values({"e": {}})), "{}")


class Syntax(unittest.TestCase):
    def test_trim_markers(self):
        self.assertEqual(run("a  {{- 1 -}}  b"), "a1b")
        self.assertEqual(run("a\n  {{- 1 }}\n  b"), "a1\n  b")
        self.assertEqual(run("x {{-3}}"), "x -3")

    def test_comments(self):
        self.assertEqual(run("{{/* c */}}x"), "x")
        self.assertEqual(run("a {{- /* c */ -}} b"), "ab")

    def test_braces_inside_strings(self):
        self.assertEqual(run('{{ "}}" }}'), "}}")

    def test_unclosed_blocks_are_errors(self):
        for src in ("{{ if true }}x", "{{ end }}", "{{ if true }}{{ else }}{{ else }}{{ end }}", "{{ 1 ", "{{ (1 }}"):
            with self.assertRaises(gt.TemplateError, msg=src):
                run(src)


class Semantics(unittest.TestCase):
    def test_variable_scope(self):
        self.assertEqual(run("{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}"), "2")
        with self.assertRaises(gt.TemplateError):
            run("{{ if true }}{{ $y := 1 }}{{ end }}{{ $y }}")

    def test_range(self):
        self.assertEqual(run('{{ range $i, $v := list "a" "b" }}{{ $i }}{{ $v }}{{ end }}'), "0a1b")
        self.assertEqual(run('{{ range $k, $v := dict "b" 2 "a" 1 }}{{ $k }}={{ $v }};{{ end }}'), "a=1;b=2;")
        self.assertEqual(run("{{ range list }}x{{ else }}empty{{ end }}"), "empty")
        self.assertEqual(run('{{ range list "a" }}{{ . }}{{ $.k }}{{ end }}', {"k": "!"}), "a!")

    def test_if_else_if_and_with(self):
        src = '{{ if eq . "a" }}A{{ else if eq . "b" }}B{{ else }}C{{ end }}'
        self.assertEqual([run(src, v) for v in ("a", "b", "c")], ["A", "B", "C"])
        self.assertEqual(run('{{ with "" }}x{{ else }}y{{ end }}'), "y")
        self.assertEqual(run('{{ with .a }}{{ .b }}{{ end }}', {"a": {"b": 1}}), "1")

    def test_truthiness(self):
        for falsy in (0, 0.0, "", [], {}, None, False):
            self.assertEqual(run("{{ if . }}t{{ else }}f{{ end }}", falsy), "f", falsy)

    def test_and_or_are_lazy(self):
        self.assertEqual(run('{{ or true (fail "boom") }}'), "true")
        self.assertEqual(run('{{ and false (fail "boom") }}'), "false")
        self.assertEqual(run('{{ or "" "x" }}'), "x")

    def test_missing_map_keys_are_nil_and_fields_of_nil_fail(self):
        self.assertEqual(run("[{{ .a }}]", {}), "[]")
        with self.assertRaises(gt.TemplateError):
            run("{{ .a.b }}", {})
        engine = gt.Engine()
        engine.add_file("t", "{{ .Values.x.y }}")
        engine.render("t", gt.StrictDict({"Values": gt.helm_values({"x": {}})}))
        self.assertEqual(engine.missing_values, {"x.y"})

    def test_struct_fields_are_strict(self):
        with self.assertRaises(gt.TemplateError):
            run("{{ .Chart.Nmae }}", gt.StrictDict({"Chart": gt.StrictDict({"Name": "c"})}))

    def test_include_and_pipelines(self):
        defs = '{{- define "x" -}}[{{ . }}]{{- end -}}'
        self.assertEqual(run('{{ include "x" "a" | upper }}', defines=defs), "[A]")
        self.assertEqual(run('{{ "a\nb" | nindent 2 }}'), "\n  a\n  b")
        with self.assertRaises(gt.TemplateError):
            run('{{ include "nope" . }}')

    def test_sprig_functions(self):
        self.assertEqual(run('{{ default "x" "" }}|{{ "" | default "x" }}|{{ "y" | default "x" }}'), "x|x|y")
        self.assertEqual(run('{{ "abcdef" | trunc 3 }}|{{ "ab-" | trimSuffix "-" }}'), "abc|ab")
        self.assertEqual(run("{{ div 7 2 }} {{ mod 3725 60 }} {{ add 1 2 3 }} {{ sub 5 7 }}"), "3 5 6 -2")
        self.assertEqual(run('{{ $d := merge (dict "a" 1) (dict "a" 2 "b" 3) }}{{ $d.a }}{{ $d.b }}'), "13")
        self.assertEqual(run('{{ contains "pg" "pgw-pg" }} {{ "a+b" | replace "+" "_" }}'), "true a_b")
        self.assertEqual(run('{{ semverCompare ">=1.30-0" "v1.31.2" }} {{ semverCompare ">=1.30-0" "v1.28.9-gke.1" }}'),
                         "true false")
        self.assertEqual(run('{{ print "a" "b" 1 2 }}'), "ab1 2")
        with self.assertRaises(gt.FailError):
            run('{{ required "need x" "" }}')
        with self.assertRaises(gt.TemplateError):
            run("{{ camelcase . }}", "a")


if __name__ == "__main__":
    unittest.main()
