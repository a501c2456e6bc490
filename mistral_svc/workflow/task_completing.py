"""The conductor's second role: take an attempt's outcome through the after-policies
(fail-on, retry, wait-after), complete the task (publish) and follow its transitions."""

from mistral_svc.workflow import (
    commands,
    controller,
    direct,
    machines as M,
    policies,
    states,
)
from mistral_svc.workflow.errors import TaskFailure


def record_result(action_ex, result, delta=None):
    """Store an ``ActionResult`` on an action execution record (its state, output and
    state_info); False if the action execution was complete already."""
    if action_ex.state in states.COMPLETED:
        return False
    event = M.FAIL if result.is_error() else M.SUCCEED
    if result.cancel:
        event = M.CANCEL
    fields = {"output": {"result": result.error if result.is_error() else result.data},
              "accepted": True}
    if result.is_error():
        error = result.error
        fields["state_info"] = error if isinstance(error, str) else str(error)
    M.transition("action", action_ex, event, delta, **fields)
    return True


class TaskCompleting:
    """Mixed into ``Conductor``; see ``conducting``."""

    def record_result(self, action_ex, result):
        return record_result(action_ex, result, self.delta)

    def on_action_complete(self, task_ex, action_ex, result):
        """An action of ``task_ex`` finished: complete the task or move items along."""
        rt = task_ex.rt
        if not rt.with_items:
            failed = result.is_error()
            return self.after_attempt(task_ex, states.ERROR if failed else states.SUCCESS,
                                      action_ex.state_info if failed else None,
                                      result.error if failed else result.data)
        rt = rt.replace(done=rt.done + 1, errors=rt.errors + (1 if result.is_error() else 0))
        self.delta.set(task_ex, rt=rt)
        if rt.concurrency:
            nxt = self.next_waiting_item(task_ex)
            if nxt is not None:
                M.transition("action", nxt, M.START, self.delta)
                self.send(nxt)
        if rt.done >= rt.count:
            self.finish_items(task_ex)

    def finish_items(self, task_ex):
        """Every item of a with-items task is done: it fails if any item failed."""
        if task_ex.rt.errors:
            self.after_attempt(task_ex, states.ERROR,
                               "One or more items of the with-items task failed", None,
                               has_result=False)
        else:
            self.after_attempt(task_ex, states.SUCCESS, None, None, has_result=False)

    def _retry_policy(self, task_ex, result, has_result):
        raw = self.spec.task(task_ex.name).get("retry")
        if not raw or self.reverting:
            return None
        runtime = self.runtime(task_ex, result, has_result)
        ctx = self.data_context(task_ex)
        spec = self.evaluate(raw, ctx, runtime) if isinstance(raw, str) else raw
        if not isinstance(spec, dict):
            raise TaskFailure("retry must be a mapping with 'count', got %r" % (spec,))
        values = {k: self.evaluate(spec.get(k), ctx, runtime)
                  if spec.get(k) is not None else None
                  for k in ("count", "delay", "break-on", "continue-on")}
        try:
            return policies.Retry.from_values(values["count"], values["delay"] or 0,
                                              values["break-on"], values["continue-on"])
        except policies.PolicyError as e:
            raise TaskFailure(str(e))

    def after_attempt(self, task_ex, state, state_info, result, has_result=True):
        """A task's action(s) or sub-workflow(s) finished one attempt: apply fail-on,
        retry and wait-after, then complete the task."""
        task_spec = self.spec.task(task_ex.name)
        try:
            if state == states.SUCCESS and task_spec.get("fail-on"):
                runtime = self.runtime(task_ex, result, has_result)
                if self.evaluate(task_spec.get("fail-on"), self.data_context(task_ex),
                                 runtime):
                    state, state_info = states.ERROR, "Failed by 'fail-on' policy"
            retry = self._retry_policy(task_ex, result, has_result)
        except TaskFailure as e:
            return self.complete(task_ex, states.ERROR, state_info=str(e))
        attempts = task_ex.rt.retry_no
        if policies.should_retry(retry, attempts, state):
            self.delta.set(task_ex, rt=task_ex.rt.replace(retry_no=attempts + 1))
            if retry.delay > 0:
                M.transition("task", task_ex, M.DELAY, self.delta)
                self.commands.append(commands.ScheduleTimer(
                    "task_retry", task_ex.id, retry.delay,
                    "retry:%s:%d" % (task_ex.id, attempts + 1)))
            else:
                self.restart(task_ex)
            return
        try:
            wait_after = (self.policy_seconds(task_ex, "wait-after")
                          if task_spec.get("wait-after") is not None else 0)
        except TaskFailure as e:
            return self.complete(task_ex, states.ERROR, state_info=str(e))
        if wait_after > 0 and not task_ex.rt.waited_after:
            self.delta.set(task_ex, rt=task_ex.rt.replace(
                waited_after=True, outcome={"state": state, "state_info": state_info}))
            M.transition("task", task_ex, M.DELAY, self.delta)
            self.commands.append(commands.ScheduleTimer(
                "task_complete_delayed", task_ex.id, wait_after, "wait-after:%s" % task_ex.id))
            return
        self.complete(task_ex, state, state_info=state_info, result=result,
                      has_result=has_result)

    def restart(self, task_ex):
        """Run a task's action(s) again: earlier attempts stay, unaccepted."""
        for action_ex in self.view.actions(task_ex.id):
            if action_ex.accepted:
                self.delta.set(action_ex, accepted=False)
        M.transition("task", task_ex, M.START, self.delta, state_info=None)
        self.start_task(task_ex)

    def complete(self, task_ex, state, state_info=None, result=None, has_result=True):
        """Finish ``task_ex`` in ``state``: publish, then follow its transitions."""
        task_spec = self.spec.task(task_ex.name)
        # While it publishes, task() and tasks() already see the task in its final state.
        runtime = self.runtime(task_ex, result, has_result and not task_ex.rt.with_items,
                               final_state=state)
        publish_spec = (task_spec.publish if state == states.SUCCESS
                        else task_spec.publish_on_error)
        published = {}
        if publish_spec:
            try:
                published = self.evaluate(publish_spec, self.data_context(task_ex), runtime)
                if not isinstance(published, dict):
                    raise TaskFailure("publish must evaluate to a dict")
            except TaskFailure as e:
                # As Mistral: a publish that fails fails the workflow, on-error is not
                # followed.
                return self.force_fail(task_ex, (
                    "Failed to handle action completion [error=%s, wf=%s, task=%s, "
                    "action=%s]" % (e, self.wf_ex.name, task_ex.name,
                                    task_spec.action or task_spec.workflow)))
        M.transition("task", task_ex, M.EVENT_TO[state], self.delta, state_info=state_info,
                     published=published, finished_at=self.clock())
        if task_ex.rt.timeout_set:
            self.commands.append(commands.CancelTimer("timeout:%s" % task_ex.id))
        if task_spec.get("keep-result") is False:
            # Published values are computed; the (possibly large) raw results go.
            self.commands.append(commands.DropResults(task_ex.id))
        if self.wf_ex.state == states.RUNNING and not self.reverting:
            self.process_transitions(task_ex)
            self.check_completion()

    def force_fail(self, task_ex, message):
        """Fail a task and its workflow at once, bypassing on-error: a task that could
        not start or whose result could not be handled (Mistral's force-fail)."""
        M.transition("task", task_ex, M.FAIL, self.delta, state_info=message,
                     finished_at=self.clock(), processed=True, error_handled=False)
        if task_ex.rt.timeout_set:
            self.commands.append(commands.CancelTimer("timeout:%s" % task_ex.id))
        self.fail_workflow(message)

    def fail_unstorable(self, action_ex_id, message):
        """Even the error result of ``action_ex_id`` could not be stored (what its task
        publishes on error cannot be either): the action fails, and its task and
        workflow with it, at once, evaluating nothing."""
        action_ex = self.view.action(action_ex_id)
        if action_ex is None or action_ex.state != states.RUNNING:
            return self.step()
        M.transition("action", action_ex, M.FAIL, self.delta, state_info=message,
                     accepted=True)
        task_ex = self.view.task(action_ex.task_execution_id)
        if task_ex is not None and not states.is_completed(task_ex.state):
            self.force_fail(task_ex, message)
        return self.step()

    def process_transitions(self, task_ex):
        """Follow the on-* clauses of a completed task (once: ``processed`` guards it)."""
        if task_ex.processed:
            return
        self.delta.set(task_ex, processed=True)
        if task_ex.state == states.CANCELLED:
            return
        published = task_ex.published or {}
        out_ctx = dict(task_ex.in_context or {}, **published)
        base_ctx = dict(self.data_context(task_ex), **published)
        runtime = self.runtime(task_ex)
        outcome = direct.TaskOutcome(task_ex.id, task_ex.name, task_ex.state, out_ctx,
                                     published)
        try:
            decision = controller.next_commands(
                self.spec, outcome, lambda d, c: self.evaluate(d, c, runtime), base_ctx,
                self.wf_ex.params or {})
        except (TaskFailure, KeyError) as e:
            self.fail_workflow("Failed to evaluate transitions of task %r: %s"
                               % (task_ex.name, e))
            return
        # Only tasks started count: a branch whose last task ran fail, succeed or
        # pause still ends with it, and its data belongs to the final context.
        fired = [c for c in decision.commands if isinstance(c, commands.RunTask)]
        self.delta.set(task_ex, error_handled=decision.error_handled,
                       rt=task_ex.rt.replace(next=len(fired)))
        if decision.branch_publish:
            # A clause's branch publish is the task's own, as ``publish`` is: it
            # shows in ``published`` and reaches the final context even when the
            # clause starts no task.
            self.delta.set(task_ex, published={**decision.clause_publish, **published,
                                               **decision.complete_publish})
        if decision.global_publish:
            ctx = dict(self.wf_ex.context or {})
            ctx["__global"] = dict(ctx.get("__global") or {}, **decision.global_publish)
            self.delta.set(self.wf_ex, context=ctx)
        for t in (t for c in decision.commands if isinstance(c, commands.RunTask)
                  for t in c.triggered_by):
            t["task_name"] = task_ex.name
        self.run_commands(task_ex, decision.commands)

    def run_commands(self, task_ex, cmds):
        """Apply a task's transition commands in the order written. The core already
        drops what follows fail/succeed; what follows ``pause`` is kept on the task
        and applied on resume, so at the pause only the tasks before it exist."""
        for i, cmd in enumerate(cmds):
            if states.is_completed(self.wf_ex.state):
                break
            if isinstance(cmd, commands.RunTask):
                self.run_command(cmd)
            elif isinstance(cmd, commands.EndWorkflow):
                self.end_by_command(cmd)
                if cmd.kind == "pause" and cmds[i + 1:]:
                    self.delta.set(task_ex, rt=task_ex.rt.replace(
                        held=[c.to_dict() for c in cmds[i + 1:]]))
                    break
