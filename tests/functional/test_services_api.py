"""/v2/services on the in-process service (file tooz backend)."""

from mistral_svc.coordination import membership


def test_services_lists_this_process_in_each_group_it_runs(api):
    services = api.get("/v2/services")["services"]
    me = membership.member_id()
    mine = sorted(s["type"] for s in services if s["name"] == me)
    assert mine == ["engine_group", "executor_group", "scheduler_group"]
    assert all(set(s) == {"name", "type"} for s in services)
