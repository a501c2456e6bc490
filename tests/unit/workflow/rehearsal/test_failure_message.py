"""The state_info of a failed execution has Mistral's shape: the failed tasks by name,
then per task its id and state_info, and per failed action execution or sub-workflow
its id, its index among the task's and its error."""

from mistral_svc.workflow import states
from tests.unit.workflow.rehearsal.harness import Fail, run, scripted


def test_every_failed_task_gets_its_block_with_its_failed_attempts():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            zeta:
              action: std.noop
              retry:
                count: 1
                delay: 0
            alpha:
              action: std.noop
            fine:
              action: std.noop
        """, executor=scripted(zeta=[Fail("z1"), Fail("z2")], alpha=Fail("a1")))
    assert r.execution(ex).state == states.ERROR
    alpha, zeta = r.task(ex, "alpha"), r.task(ex, "zeta")
    (a1,) = r.actions_of(alpha)
    z1, z2 = r.actions_of(zeta)
    assert r.execution(ex).state_info == (
        "Failure caused by error in tasks: alpha, zeta\n"
        "\n"
        "  alpha [task_ex_id=%s] -> a1\n"
        "    [action_ex_id=%s, idx=0]: a1\n"
        "\n"
        "  zeta [task_ex_id=%s] -> z2\n"
        "    [action_ex_id=%s, idx=0]: z1\n"
        "    [action_ex_id=%s, idx=1]: z2\n"
        % (alpha.id, a1.id, zeta.id, z1.id, z2.id))


def test_a_failed_workflow_task_names_its_failed_sub_workflow():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            call:
              workflow: child
        child:
          tasks:
            c:
              action: std.fail
        """, executor=scripted(c=Fail("deep")))
    call = r.task(ex, "call")
    (child,) = r.children(call)
    child_info = r.execution(child.id).state_info
    assert child_info.startswith("Failure caused by error in tasks: c\n")
    assert r.execution(ex).state_info == (
        "Failure caused by error in tasks: call\n"
        "\n"
        "  call [task_ex_id=%s] -> %s\n"
        "    [wf_ex_id=%s, idx=0]: %s\n"
        % (call.id, call.state_info, child.id, child_info))
