"""The conductor's answers to a user's requests: pause, resume, stop, rerun, skip.

A mixin of ``Conductor`` (see ``conducting``): each request checks that it may happen in
the execution's present state (``Refused`` or ``NotFound`` when not, with Mistral's
wording), moves the execution or the task through the state machines and cascades to
the sub-workflows involved. Nothing here does I/O.
"""


from mistral_svc.lang import inputs as lang_inputs, spec as lang_spec
from mistral_svc.workflow import commands, machines as M, states
from mistral_svc.workflow.errors import NotFound, Refused, TaskFailure
from mistral_svc.workflow.view import LookupFailed


class Controlling:
    """Pause, resume, stop, rerun, skip and reopen requests of one execution."""

    def pause(self):
        """Pause the execution and, through cascades, its running sub-workflows."""
        if self.wf_ex.state == states.PAUSED:
            return self.step()
        self.refuse_while_reverting("pause")
        self._request(states.PAUSED)
        for child in self._active_children((states.RUNNING,)):
            self.commands.append(commands.Cascade("pause_workflow", child.id))
        return self.step()

    def resume(self, env=None):
        """Resume a paused execution: held tasks start, held transitions run, paused
        sub-workflows resume, and a paused parent resumes too."""
        wf_ex = self.wf_ex
        if env is not None and not isinstance(env, dict):
            raise Refused("params.env must be a JSON object, not %s" % type(env).__name__)
        if wf_ex.state == states.RUNNING:
            return self.step()
        if wf_ex.state != states.PAUSED:
            raise Refused("Can't resume workflow execution %s in state %s"
                          % (wf_ex.id, wf_ex.state))
        self.set_workflow_state(M.RESUME)
        self._merge_env(env)
        for child in self._active_children((states.PAUSED,)):
            self.commands.append(commands.Cascade("resume_workflow", child.id))
        if wf_ex.task_execution_id:
            parent_id = self.catalog.execution_of_task(wf_ex.task_execution_id)
            if parent_id:
                self.commands.append(commands.Cascade("resume_workflow", parent_id))
        self._deferred = False
        for task_ex in self.view.tasks():
            if wf_ex.state != states.RUNNING:
                break
            if task_ex.state == states.IDLE:
                M.transition("task", task_ex, M.START, self.delta, started_at=self.clock())
                self.begin(task_ex)
            elif states.is_completed(task_ex.state) and not task_ex.processed:
                self.process_transitions(task_ex)
            elif task_ex.rt.held:
                held = [commands.from_dict(c) for c in task_ex.rt.held]
                self.delta.set(task_ex, rt=task_ex.rt.replace(held=None))
                self.run_commands(task_ex, held)
        # Checked even if nothing moved: a pause may have held the very last transition.
        self._deferred = None
        self.check_completion()
        return self.step()

    def stop(self, state, message=None):
        """Force the execution to SUCCESS, ERROR or CANCELLED (``execution-update -s``);
        running sub-workflows are stopped the same way."""
        wf_ex = self.wf_ex
        if wf_ex.state == state:
            return self.step()
        children = self._active_children((states.RUNNING, states.PAUSED))
        if self.reverting:
            # Stopped by hand: the reverts not run yet never will.
            self._store_progress(None)
        self._request(state, message)
        if state == states.ERROR:
            self.delta.set(wf_ex, output={"result": message or "Failed by user"})
        elif state == states.CANCELLED:
            self.delta.set(wf_ex, output={"result": message or "Cancelled by user"})
        elif state == states.SUCCESS:
            ctx = self.data_context()
            ctx.update(self.final_context())
            self.delta.set(wf_ex, output=ctx)
        if state in (states.CANCELLED, states.ERROR):
            info = message or ("Cancelled by user" if state == states.CANCELLED
                               else "Failed by user")
            for task_ex in self.view.tasks(states=states.ACTIVE + (states.PAUSED,)):
                M.transition("task", task_ex, M.EVENT_TO[state], self.delta,
                             state_info=info)
            for child in children:
                self.commands.append(commands.Cascade(
                    "stop_workflow", child.id, {"state": state, "message": message}))
        return self.step()

    def rerun(self, task_ex_id, reset=True, env=None):
        """Run a failed task again; the execution goes back to RUNNING. With ``reset``
        every item of a with-items task runs again, without it only the failed ones."""
        task_ex = self._failed_task(task_ex_id)
        self._merge_env(env)
        self._reopen_workflow()
        rt = task_ex.rt.replace(retry_no=0, waited_after=False)
        M.transition("task", task_ex, M.RERUN, self.delta, state_info=None, processed=False,
                     error_handled=False, finished_at=None, rt=rt)
        actions = self.view.actions(task_ex.id)
        if rt.with_items and not reset:
            failed = [a for a in actions if a.state != states.SUCCESS]
            for action_ex in failed:
                self.delta.set(action_ex, accepted=False)
            self._rerun_failed_items(task_ex, failed)
        else:
            for action_ex in actions:
                self.delta.set(action_ex, accepted=False)
            self.start_task(task_ex)
        return self.step()

    def _failed_task(self, task_ex_id):
        """The failed task a rerun or skip is about; Refused unless it failed and its
        execution can go on."""
        task_ex = self._task_or_none(task_ex_id)
        if task_ex is None:
            raise NotFound("Task execution not found [id=%s]" % task_ex_id)
        if task_ex.state != states.ERROR:
            raise Refused("The current task execution must be in ERROR for rerun. Only "
                          "updating task to rerun is supported. [task_ex_id=%s, state=%s]"
                          % (task_ex.id, task_ex.state))
        if self.wf_ex.state not in (states.ERROR, states.PAUSED, states.RUNNING):
            raise Refused("Can't rerun a task of an execution in state %s"
                          % self.wf_ex.state)
        self.refuse_while_reverting("rerun or skip a task of")
        return task_ex

    def _reopen_workflow(self):
        if self.wf_ex.state == states.ERROR:
            self.set_workflow_state(M.RERUN)
            self.delta.set(self.wf_ex, output={})

    def skip(self, task_ex_id):
        """Skip a failed task (``PUT /v2/tasks/{id}`` with SKIPPED): it ends SKIPPED,
        publishes ``publish-on-skip`` and follows ``on-skip``; its execution goes on."""
        task_ex = self._failed_task(task_ex_id)
        self._reopen_workflow()
        task_spec = self.spec.task(task_ex.name)
        # Without publish-on-skip the task keeps what publish-on-error published, as
        # Mistral does; with it, that is replaced.
        published = task_ex.published or {}
        if task_spec.publish_on_skip:
            try:
                published = self.evaluate(
                    task_spec.publish_on_skip, self.data_context(task_ex),
                    self.runtime(task_ex, final_state=states.SKIPPED))
            except TaskFailure as e:
                raise Refused("Failed to evaluate publish-on-skip: %s" % e)
            if not isinstance(published, dict):
                raise Refused("publish-on-skip must evaluate to a dict")
        M.transition("task", task_ex, M.SKIP, self.delta, state_info="Task was skipped.",
                     published=published, processed=False, error_handled=False,
                     finished_at=self.clock())
        if self.wf_ex.state == states.RUNNING:
            self.process_transitions(task_ex)
            self.check_completion()
        return self.step()

    def reopen_task(self, task_ex_id):
        """A sub-workflow of failed task ``task_ex_id`` was rerun: the task (and the
        execution, if it had failed) run again, waiting for the child's outcome."""
        task_ex = self._task_or_none(task_ex_id)
        if task_ex is None or task_ex.state != states.ERROR:
            return self.step()
        self._reopen_workflow()
        M.transition("task", task_ex, M.RERUN, self.delta, state_info=None, processed=False,
                     error_handled=False, finished_at=None,
                     rt=task_ex.rt.replace(retry_no=0, waited_after=False))
        return self.step()

    def _rerun_failed_items(self, task_ex, failed):
        """Send the failed items of a with-items task again, with their recorded input."""
        self.delta.set(task_ex, rt=task_ex.rt.replace(done=task_ex.rt.count - len(failed),
                                                      errors=0))
        if not failed:
            return self.finish_items(task_ex)
        try:
            action = self.catalog.action(failed[0].name, self.wf_ex.workflow_namespace)
            rows = [self._new_action(task_ex, action, a.name, a.input, self.runtime(task_ex),
                                     index=a.rt.index) for a in failed]
        except (LookupFailed, lang_inputs.InputMismatch, TaskFailure) as e:
            return self.complete(task_ex, states.ERROR, state_info=str(e))
        self._register_actions(rows)
        for row in rows:
            self.send(row)

    def _request(self, state, info=None):
        """Move the execution to ``state`` on a user's request; Refused if it can't."""
        event = M.EVENT_TO[state]
        if not M.can("workflow", self.wf_ex.state, event):
            raise Refused("Can't change workflow execution state from %s to %s "
                          "[execution_id=%s]" % (self.wf_ex.state, state, self.wf_ex.id))
        self.set_workflow_state(event, info)

    def _merge_env(self, env):
        if env:
            params = dict(self.wf_ex.params or {})
            params["env"] = dict(params.get("env") or {}, **env)
            self.delta.set(self.wf_ex, params=params)

    def _active_children(self, child_states):
        """Sub-workflow executions of the running tasks, in ``child_states``."""
        out = []
        for task_ex in self.view.tasks(states=(states.RUNNING, states.RUNNING_DELAYED)):
            if task_ex.type == lang_spec.TASK_TYPE_WORKFLOW:
                out.extend(c for c in self.own_children(task_ex.id) if c.state in child_states)
        return out
