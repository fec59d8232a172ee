"""AI visibility monitor: how AI assistants mention and cite a brand, measured with honest intervals.

Stands on `storage` (and calls `sentiment`'s public scoring for brand sentences). The small public
API the CLI, the web app and the scheduler use:

- `engine_kinds()`: every engine kind (`Engine` subclasses with typed `Params`), `mask_params`;
- `collect(db, brand, ...)`: ask and store raw answers; `analyse_run(db, run_id, brand, ...)`;
  `reanalyze(db, brand, ...)`: analyse stored answers again; `sentiment_scorer(...)`;
- `brand_report(db, brand, ...)` and `timeline(db, brand, ...)`: metrics with intervals, for the
  report command and dashboard pages; `METRICS_VERSION` names the definitions in the README;
- `due_brands(db, now, every)` / `run_due(db, now=, ...)`: the scheduling hook for `serve`/`worker`;
- `monitor.alerts`: `RULES`, `RULE_HELP`, `evaluate(db, rule, brand, now)` -> `MonitorFinding`;
- `monitor.standin.StandIn`: a loopback stand-in provider for tests, demos and the benchmark
  (`python -m monitor.standin --port 8765`);
- the error tree in `monitor.errors`.
"""

from monitor.analyze import ANALYSIS_VERSION, DEFAULT_CONTROL_BRAND, reanalyze, sentiment_scorer
from monitor.engines import Engine, EngineParams, engine_kinds
from monitor.errors import BudgetExhausted, MonitorError, PermanentError, PolicyError, TransientError
from monitor.params import mask_params, validate_engine_params
from monitor.report import brand_report, sample_answers, timeline
from monitor.run import DEFAULT_SAMPLES, RunOptions, RunReport, analyse_run, collect
from monitor.schedule import due_brands, run_due

__all__ = [
    "ANALYSIS_VERSION", "DEFAULT_CONTROL_BRAND", "DEFAULT_SAMPLES", "BudgetExhausted", "Engine", "EngineParams",
    "MonitorError", "PermanentError", "PolicyError", "RunOptions", "RunReport", "TransientError",
    "analyse_run", "brand_report", "collect", "due_brands", "engine_kinds", "mask_params", "reanalyze", "run_due",
    "sample_answers", "sentiment_scorer", "timeline", "validate_engine_params",
]
