"""The ``estimators`` command line: run estimators on files without writing Python.

Every command prints a readable table by default, ``--json`` or ``--csv`` for machines,
and exits non-zero with the file, row and column on bad input.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ._options import LOGLINEAR_INTERVALS

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
DATA_ERROR = 1  # bad input data; click uses 2 for bad usage


level_option = click.option(
    "--level", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.95,
    show_default=True, help="Nominal level of the interval.")


def output_options(command):
    """--json / --csv on every command that prints a result."""
    command = click.option("--csv", "fmt", flag_value="csv", help="Comma-separated values.")(command)
    command = click.option("--json", "fmt", flag_value="json", help="JSON (lossless but for idata).")(command)
    return command


def emit(result, fmt: str | None) -> None:
    """Print an Estimate, EstimateTable or DataFrame as a table, JSON or CSV."""
    import pandas as pd

    from .result import Estimate, EstimateTable

    if isinstance(result, EstimateTable | Estimate):
        frame = result.to_frame() if isinstance(result, EstimateTable) else pd.DataFrame([result.as_row()])
    else:
        frame = result
    if fmt == "json":
        text = result.to_json(indent=2) if hasattr(result, "to_json") and not isinstance(result, pd.DataFrame) \
            else frame.to_json(orient="records", indent=2)
        click.echo(text)
    elif fmt == "csv":
        click.echo(frame.to_csv(index=False, lineterminator="\n"), nl=False)
    else:
        click.echo(str(result) if not isinstance(result, pd.DataFrame) else frame.to_string(index=False))
        details = getattr(result, "details", None)
        if details is not None:
            click.echo("\n" + details.to_string(index=False))


def data_errors(fn):
    """Bad input exits non-zero with the file, row and column, never a traceback."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from .data import DataValidationError

        try:
            return fn(*args, **kwargs)
        except (DataValidationError, FileNotFoundError, ValueError) as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(DATA_ERROR)

    return wrapper


@click.group(context_settings=CONTEXT)
@click.version_option(package_name="estimators")
def main() -> None:
    """Estimators of true civilian deaths from partial counts, with explicit intervals."""


@main.command()
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=".",
              show_default=True, help="Repository root (holding notebooks/ and figures/).")
@click.option("--pattern", default="*.ipynb", show_default=True, help="Which notebooks (glob).")
def reproduce(root: Path, pattern: str) -> None:
    """Execute every notebook in order and write figures/summary.csv and .md.

    What `make reproduce` does, once the environment exists.

    Example: estimators reproduce --pattern '0[0-2]_*.ipynb'
    """
    from .reproduce import reproduce as run

    try:
        run(root, pattern=pattern)
    except SystemExit as exc:
        raise click.ClickException(str(exc)) from None


@main.command("range")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--grades", default="confirmed,fair", show_default=True,
              help="Comma-separated grades to sum, or 'all' for the alleged range.")
@click.option("--by", default=None, help="Group by 'belligerent', 'year', 'month' or a column.")
@click.option("--belligerent", default=None, help="Only incidents naming this belligerent.")
@click.option("--export", "export", is_flag=True,
              help="FILE is a monitor's export (e.g. Airwars column names), not the canonical table.")
@click.option("--airwars", is_flag=True,
              help="FILE is Airwars' archived incident export (data/airwars_syria_incidents.csv's columns).")
@click.option("--policy", "policies", multiple=True, metavar="QUIRK=CHOICE",
              help="With --airwars: how to treat a quirk of the export (repeatable), e.g. "
                   "ungraded=exclude; 'notebook' takes every choice notebook 01 makes. Default: error.")
@output_options
@data_errors
def range_(file: Path, grades: str, by: str | None, belligerent: str | None, export: bool, airwars: bool,
           policies: tuple[str, ...], fmt: str | None) -> None:
    """Monitor-style graded range: sum of minima – sum of maxima over the chosen grades.

    Example: estimators range data/incidents_example.csv --by belligerent

    Example: estimators range data/airwars_syria_incidents.csv --airwars --policy notebook
    --belligerent "Russian Military" --by year
    """
    from .data import read_incidents, read_monitor_export
    from .ranges import graded_range

    if policies and not airwars:
        raise click.UsageError("--policy applies to --airwars exports only")
    if airwars:
        from .data.airwars import read_airwars_export
        from .datasets import AIRWARS_NOTEBOOK_POLICIES

        chosen_policies: dict[str, str] = {}
        for item in policies:
            if item == "notebook":
                chosen_policies.update(AIRWARS_NOTEBOOK_POLICIES)
                continue
            quirk, sep, choice = item.partition("=")
            if not sep:
                raise click.UsageError(f"--policy {item!r}: expected QUIRK=CHOICE or 'notebook'")
            chosen_policies[quirk.strip()] = choice.strip()
        try:
            table = read_airwars_export(file, **chosen_policies)
        except TypeError as exc:  # an unknown quirk name
            raise click.UsageError(f"--policy: {exc}") from None
    else:
        table = (read_monitor_export if export else read_incidents)(file)
    chosen = "all" if grades.strip() == "all" else tuple(g.strip() for g in grades.split(","))
    emit(graded_range(table, grades=chosen, by=by, belligerent=belligerent), fmt)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--figure", "figures", multiple=True,
              help="Use only this figure_id (repeatable), e.g. from data/published_figures.csv.")
@click.option("--event", "events", multiple=True, help="Use only this event (repeatable).")
@click.option("--calibration", default=None, metavar="CONCEDED,REPORTED",
              help="Deaths the belligerent conceded and monitors reported on the same incidents.")
@click.option("--draws", type=click.IntRange(min=50), default=1000, show_default=True,
              help="Kept draws per chain.")
@click.option("--no-sensitivity", is_flag=True, help="Skip the prior-sensitivity refits.")
@level_option
@click.option("--seed", type=int, default=2026, show_default=True)
@output_options
@data_errors
def sources(file: Path, figures: tuple[str, ...], events: tuple[str, ...], calibration: str | None,
            draws: int, no_sensitivity: bool, level: float, seed: int, fmt: str | None) -> None:
    """True deaths per event from partial counts (acknowledged, named, monitors).

    FILE is a source-count table (event, kind, value or low/high, qualifier) or the
    published-figures file with --figure / --event choosing its rows.

    Example: estimators sources data/published_figures.csv --figure raqqa-acknowledged-159
    --figure raqqa-named-641 --figure raqqa-monitor-count-1600 --calibration 1410,2024
    """
    from .data import read_published_figures, read_source_counts, select_figures
    from .sources import multi_source

    if figures or events:
        chosen = select_figures(read_published_figures(file), figure_ids=figures, events=events, name=str(file))
        counts = read_source_counts(chosen, name=f"{file} (selected rows)")
    else:
        counts = read_source_counts(file)
    pair = None
    if calibration:
        try:
            conceded, reported = (int(v) for v in calibration.split(","))
        except ValueError:
            raise click.BadParameter("expected two whole numbers, e.g. 1410,2024",
                                     param_hint="--calibration") from None
        pair = (conceded, reported)
    emit(multi_source(counts, calibration=pair, draws=draws, sensitivity=not no_sensitivity,
                      level=level, random_seed=seed), fmt)


MSE_METHODS = ("chapman", "loglinear", "latent-class", "graph-average", "mth")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--method", type=click.Choice(MSE_METHODS), required=True, help="Which estimator.")
@click.option("--lists", default=None, help="chapman: the two lists to use, comma-separated.")
@click.option("--criterion", type=click.Choice(["aic", "bic"]), default="aic", show_default=True,
              help="loglinear: model selection criterion.")
@click.option("--interval", type=click.Choice(LOGLINEAR_INTERVALS), default="auto", show_default=True,
              help="loglinear: the selected model's profile likelihood with cut-offs calibrated by a bootstrap "
                   "repeating the model selection (calibrated), the most general model's profile likelihood (full), "
                   "the BCa interval of that bootstrap (bootstrap), or the selected model's uncalibrated profile "
                   "likelihood (profile); auto = calibrated after AIC with two-way terms on 4 or more lists, "
                   "otherwise full (3 lists, BIC, three-way terms), bootstrap if that model cannot be fitted.")
@click.option("--id-column", default=None,
              help="A file with one row per victim: the column of victim identifiers (checked unique, not a list).")
@level_option
@click.option("--seed", type=int, default=2026, show_default=True,
              help="latent-class and the loglinear bootstrap: random seed.")
@output_options
@data_errors
def mse(file: Path, method: str, lists: str | None, criterion: str, interval: str, id_column: str | None,
        level: float, seed: int,
        fmt: str | None) -> None:
    """Multiple systems estimation on linked lists (a pattern table or one row per victim).

    Example: estimators mse data/capture_histories_example.csv --method latent-class
    """
    from . import mse as family
    from .data import read_capture_histories

    histories = read_capture_histories(file, id_column=id_column)
    if method == "chapman":
        pair = tuple(lists.split(",")) if lists else None
        result = family.chapman(histories, lists=pair, level=level)
    elif method == "loglinear":
        result = family.loglinear(histories, criterion=criterion, interval=interval, level=level,
                                  random_seed=seed)
    elif method == "latent-class":
        result = family.latent_class(histories, level=level, random_seed=seed)
    elif method == "graph-average":
        result = family.graph_average(histories, level=level)
    else:
        result = family.mth(histories, level=level)
    emit(result, fmt)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--id", "id_column", required=True, help="The record-id column (unique within each list).")
@click.option("--name", "name", required=True, help="The column of names in Arabic script.")
@click.option("--name-latin", default=None, help="The column of Latin-script names, if any.")
@click.option("--age", default=None, help="The column of ages, if any.")
@click.option("--sex", default=None, help="The column of sex (m/f), if any.")
@click.option("--date-of-death", default=None, help="The column of dates of death (ISO), if any.")
@click.option("--place", default=None, help="The column of places of death, if any.")
@click.option("--national-id", default=None, help="The column of national id numbers, if any.")
@click.option("--list-names", default=None, help="Comma-separated names of the lists (default: the file names).")
@click.option("--repair-pdf", multiple=True, metavar="LIST",
              help="A list extracted from PDF: repair its lam-alef damage (repeatable).")
@click.option("--threshold", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.5,
              show_default=True, help="Match probability at which two records are linked.")
@click.option("--seed", type=int, default=2026, show_default=True, help="Random seed (u sampling).")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for clusters.csv, pairs.csv and capture_histories.csv.")
@click.option("--progress/--no-progress", default=True, show_default=True, help="A progress bar on stderr.")
@data_errors
def link(files: tuple[Path, ...], id_column: str, name: str, name_latin: str | None, age: str | None,
         sex: str | None, date_of_death: str | None, place: str | None, national_id: str | None,
         list_names: str | None, repair_pdf: tuple[str, ...], threshold: float, seed: int, out: Path,
         progress: bool) -> None:
    """Link named-victim lists (CSV files) into people and capture histories.

    Writes OUT/clusters.csv (list, record, cluster), OUT/pairs.csv (scored pairs) and
    OUT/capture_histories.csv (the pattern table `estimators mse` reads).

    Example: estimators link ministry.csv monitor.csv --id id --name name --age age --out linked/
    """
    from .data import NAMED_LIST_ROLES, read_named_list
    from .linkage import link_lists

    given = dict(name=name, name_latin=name_latin, age=age, sex=sex, date_of_death=date_of_death,
                 place=place, national_id=national_id)
    fields = {role: column for role, column in given.items() if column is not None}
    names = list_names.split(",") if list_names else [f.stem for f in files]
    if len(names) != len(files) or len(set(names)) != len(names):
        raise click.UsageError(f"give {len(files)} distinct list names, one per file (got {names})")
    tables = {n: read_named_list(f, id_column=id_column, fields=fields) for n, f in zip(names, files)}
    roles = {role: role for role in NAMED_LIST_ROLES if role in fields}
    linkage = link_lists(tables, id_column="record", fields=roles, random_seed=seed, threshold=threshold,
                         repair_pdf=repair_pdf, progress=progress)
    out.mkdir(parents=True, exist_ok=True)
    histories = linkage.capture_histories()
    linkage.clusters.to_csv(out / "clusters.csv", index=False, lineterminator="\n")
    linkage.pairs.to_csv(out / "pairs.csv", index=False, lineterminator="\n")
    histories.to_csv(out / "capture_histories.csv", index=False, lineterminator="\n")
    click.echo(f"{linkage!r}\nwrote {out / 'clusters.csv'}, {out / 'pairs.csv'}, {out / 'capture_histories.csv'}")
    for warning in linkage.warnings:
        click.echo(f"warning: {warning}", err=True)


@main.command()
@click.option("--estimator", "name", default=None,
              help="Estimator to check (see --list), e.g. incident_model or proportion_ratio.")
@click.option("--reps", type=click.IntRange(min=1), default=200, show_default=True,
              help="Simulated data sets per scenario.")
@click.option("--scenario", default=None, help="Only this scenario (default: all of the estimator's).")
@level_option
@click.option("--seed", type=int, default=2026, show_default=True, help="Seeds every replicate.")
@click.option("--scheduler", default=None, help="Dask scheduler address, e.g. tcp://host:8786.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Local worker processes (default: one per core); ignored with --scheduler.")
@click.option("--list", "list_only", is_flag=True, help="List estimators and scenarios, then exit.")
@output_options
def coverage(name: str, reps: int, scenario: str | None, level: float, seed: int, scheduler: str | None,
             workers: int | None, list_only: bool, fmt: str | None) -> None:
    """Coverage of an estimator's intervals on simulated data with known truth.

    Runs on a local Dask cluster, or on the cluster at --scheduler. The same --seed gives
    the same table whatever the number of workers.

    Example: estimators coverage --estimator proportion_ratio --reps 400 --workers 2
    (or: estimators coverage --list)
    """
    import pandas as pd

    from .checking import calibration, scenarios

    listed = scenarios.scenarios()
    if name is None and not list_only:
        raise click.UsageError("give --estimator NAME (every name: estimators coverage --list)")
    # "chapman" names mse.chapman; "proportion_ratio" both of its variants
    chosen = [s for s in listed if name is None
              or name in (s.estimator, s.estimator.split(" (")[0], s.estimator.split(" (")[0].removeprefix("mse."))]
    if scenario is not None:
        chosen = [s for s in chosen if s.name == scenario]
    if not chosen:
        for s in listed:
            click.echo(f"{s.estimator:<30} {s.name:<28} assumptions {'hold' if s.assumptions_hold else 'broken'}",
                       err=True)
        raise click.BadParameter(f"no scenario for estimator {name!r}"
                                 + (f" and scenario {scenario!r}" if scenario else "") + " (listed above)",
                                 param_hint="--estimator")
    if list_only:
        emit(pd.DataFrame({"estimator": [s.estimator for s in chosen], "scenario": [s.name for s in chosen],
                           "assumptions": ["hold" if s.assumptions_hold else "broken" for s in chosen]}), fmt)
        return
    report = calibration.coverage_grid(**scenarios.grid(chosen), n_reps=reps, level=level, random_seed=seed,
                                       client=scheduler, n_workers=workers, progress=None)
    emit(report.table if fmt else report, fmt)
    if fmt is None:
        click.echo(f"\n{len(report.failures)} failed replicates; wall time {report.wall_seconds:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
