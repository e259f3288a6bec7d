"""The command line, run as a user would: a subprocess on small files."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "incidents_example.csv"


def run(*args, check=True):
    exe = Path(sys.executable).with_name("estimators")  # the installed console script
    out = subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True, cwd=ROOT)
    if check and out.returncode != 0:
        raise AssertionError(f"exit {out.returncode}\n{out.stdout}\n{out.stderr}")
    return out


LISTS = ROOT / "data" / "capture_histories_example.csv"


@pytest.mark.parametrize("command", ["range", "sources", "mse", "link", "coverage", "reproduce"])
def test_every_command_has_help_with_an_example(command):
    assert "Example: estimators " + command in run(command, "--help").stdout


def test_range_by_belligerent_as_table_json_and_csv():
    table = run("range", EXAMPLE, "--by", "belligerent").stdout
    assert "US-led coalition" in table and "(range: confirmed + fair incidents)" in table
    records = json.loads(run("range", EXAMPLE, "--by", "belligerent", "--json").stdout)
    groups = {g: est for g, est in records["estimates"]}
    assert groups["US-led coalition"]["interval"] == "range"
    csv = run("range", EXAMPLE, "--grades", "all", "--csv").stdout.splitlines()
    assert csv[0].startswith("quantity,method,value,lower,upper") and len(csv) == 2


def test_range_on_bad_input_names_the_row_and_column(tmp_path):
    bad = tmp_path / "incidents.csv"
    lines = EXAMPLE.read_text().splitlines()
    lines[2] = lines[2].replace(",fair,", ",probable,")
    bad.write_text("\n".join(lines) + "\n")
    out = run("range", bad, check=False)
    assert out.returncode == 1
    assert f"{bad}, row 2 (line 3), column 'grade': got 'probable'" in out.stderr
    assert "Traceback" not in out.stderr


def test_range_on_a_missing_file():
    out = run("range", ROOT / "no-such-file.csv", check=False)
    assert out.returncode != 0 and "no-such-file.csv" in out.stderr


def test_coverage_runs_a_small_study_and_refuses_unknown_estimators():
    out = run("coverage", "--estimator", "proportion_ratio", "--scenario", "NYT-like rates",
              "--reps", "4", "--workers", "1", "--csv")
    lines = out.stdout.splitlines()
    assert lines[0].startswith("scenario,estimator,level,replicates,failures,coverage")
    assert len(lines) == 3  # Katz and Bayes
    bad = run("coverage", "--estimator", "no_such_estimator", "--reps", "2", check=False)
    assert bad.returncode == 2 and "no scenario for estimator 'no_such_estimator'" in bad.stderr


def test_coverage_list_needs_no_estimator():
    # It exited 2 with "Missing option '--estimator'".
    table = run("coverage", "--list").stdout
    assert "mse.latent_class" in table and "incident_model" in table and "broken" in table
    csv = run("coverage", "--list", "--estimator", "chapman", "--csv").stdout.splitlines()
    assert csv == ["estimator,scenario,assumptions", "mse.chapman,two independent lists,hold",
                   "mse.chapman,positively dependent lists,broken"]
    missing = run("coverage", check=False)
    assert missing.returncode == 2 and "give --estimator NAME" in missing.stderr


def test_reproduce_with_no_matching_notebook_fails_clearly():
    out = run("reproduce", "--pattern", "no-such-*.ipynb", check=False)
    assert out.returncode == 1 and "no notebooks matching" in out.stderr


def test_mse_methods_on_linked_lists():
    ll = json.loads(run("mse", LISTS, "--method", "loglinear", "--json").stdout)
    assert ll["interval"] == "confidence" and ll["lower"] < ll["value"] < ll["upper"]
    assert ll["interval_method"].startswith("calibrated profile likelihood")  # 4 lists, a model selected: auto = calibrated
    again = json.loads(run("mse", LISTS, "--method", "loglinear", "--json").stdout)
    assert (again["lower"], again["upper"]) == (ll["lower"], ll["upper"])  # seeded (--seed 2026)
    profile = json.loads(run("mse", LISTS, "--method", "loglinear", "--interval", "profile", "--json").stdout)
    assert profile["interval_method"].startswith("profile likelihood") and profile["value"] == ll["value"]
    bootstrap = json.loads(run("mse", LISTS, "--method", "loglinear", "--interval", "bootstrap", "--json").stdout)
    assert bootstrap["interval_method"].startswith("BCa bootstrap") and bootstrap["value"] == ll["value"]
    full = json.loads(run("mse", LISTS, "--method", "loglinear", "--interval", "full", "--json").stdout)
    assert "of the most general model" in full["interval_method"] and full["value"] == ll["value"]
    two = run("mse", LISTS, "--method", "chapman", "--lists", "acknowledged,documented", "--csv").stdout
    assert "confidence" in two.splitlines()[1]
    out = run("mse", LISTS, "--method", "chapman", check=False)
    assert out.returncode == 1 and "say which two" in out.stderr



def test_mse_on_bad_input_names_the_row_and_column(tmp_path):
    bad = tmp_path / "lists.csv"
    lines = LISTS.read_text().splitlines()
    lines[3] = "1,2,0,0,11"
    bad.write_text("\n".join(lines) + "\n")
    out = run("mse", bad, "--method", "loglinear", check=False)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "row 3" in out.stderr and "'named'" in out.stderr


def test_sources_on_chosen_published_figures():
    out = run("sources", ROOT / "data" / "published_figures.csv", "--figure", "raqqa-acknowledged-159",
              "--figure", "raqqa-monitor-count-1600", "--calibration", "1410,2024", "--draws", "100",
              "--no-sensitivity", "--json")
    est = json.loads(out.stdout)
    # Acknowledged deaths are a floor; a monitor's "more than 1,600" is not (monitors may
    # over-count), so the interval may reach below 1,600 but never below 159.
    assert est["interval"] == "credible" and 159 <= est["lower"] < est["value"] < est["upper"]


def test_sources_on_bad_input_names_the_row_and_column(tmp_path):
    bad = tmp_path / "counts.csv"
    bad.write_text("event,kind,value,qualifier\nraqqa,acknowledged,159,exact\nraqqa,named,-641,exact\n")
    out = run("sources", bad, "--no-sensitivity", check=False)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "row 2 (line 3), column 'value'" in out.stderr
    unknown = run("sources", ROOT / "data" / "published_figures.csv", "--figure", "no-such-id", check=False)
    assert unknown.returncode == 1 and "no figure_id no-such-id" in unknown.stderr


def test_range_on_airwars_real_export_with_stated_policies():
    airwars = ROOT / "data" / "airwars_syria_incidents.csv"
    strict = run("range", airwars, "--airwars", check=False)
    assert strict.returncode == 1 and "row 5 (line 6)" in strict.stderr and "ungraded='exclude'" in strict.stderr
    out = run("range", airwars, "--airwars", "--policy", "notebook", "--belligerent", "Russian Military", "--json")
    est = json.loads(out.stdout)
    assert (est["lower"], est["upper"]) == (4431, 6522)
    bad = run("range", airwars, "--airwars", "--policy", "no_such=1", check=False)
    assert bad.returncode == 2 and "no_such" in bad.stderr


def test_link_writes_clusters_pairs_and_capture_histories_that_mse_reads(tmp_path):
    from tests.test_linkage import clean_lists

    lists, truth = clean_lists(N=300)
    files = []
    for name, frame in lists.items():
        path = tmp_path / f"{name.lower()}.csv"
        frame.drop(columns="person").to_csv(path, index=False)
        files.append(path)
    out = tmp_path / "linked"
    result = run("link", *files, "--id", "rid", "--name", "name", "--age", "age", "--sex", "sex",
                 "--date-of-death", "dod", "--list-names", "A,B,C", "--out", out, "--no-progress")
    assert f"{len(truth)} records on 3 lists" in result.stdout
    clusters = (out / "clusters.csv").read_text().splitlines()
    assert clusters[0] == "list,record,cluster" and len(clusters) == len(truth) + 1
    histories = (out / "capture_histories.csv").read_text().splitlines()
    assert histories[0] == "A,B,C,count"
    people = sum(int(line.rsplit(",", 1)[1]) for line in histories[1:])
    assert people == truth["person"].nunique()  # clean lists: every person found once
    assert "confidence interval" in run("mse", out / "capture_histories.csv", "--method", "loglinear").stdout


def test_link_on_a_file_with_repeated_ids_names_the_row(tmp_path):
    bad = tmp_path / "a.csv"
    bad.write_text("id,name\n1,محمد\n1,أحمد\n", encoding="utf-8")
    good = tmp_path / "b.csv"
    good.write_text("id,name\n1,محمد\n", encoding="utf-8")
    result = run("link", bad, good, "--id", "id", "--name", "name", "--out", tmp_path / "o", check=False)
    assert result.returncode == 1
    assert "a.csv, row 2 (line 3), column 'id'" in result.stderr and "Traceback" not in result.stderr
