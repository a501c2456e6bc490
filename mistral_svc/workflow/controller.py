"""One entry point over both workflow types, so the engine need not know which it runs."""

from mistral_svc.lang import spec as lang_spec
from mistral_svc.workflow import direct, reverse


def start_commands(wf_spec, params):
    if wf_spec.type == lang_spec.REVERSE:
        return reverse.start_commands(wf_spec, params.get("task_name"))
    return direct.start_commands(wf_spec)


def next_commands(wf_spec, outcome, evaluate, base_ctx, params):
    if wf_spec.type == lang_spec.REVERSE:
        return reverse.next_commands(wf_spec, outcome, params.get("task_name"))
    return direct.next_commands(wf_spec, outcome, evaluate, base_ctx)
