"""Definitions shared by the CLI suite and the python-mistralclient suite.

Each function returns DSL v2 text for fresh names, so that the two suites can run
against the same server without seeing each other's workflows.
"""


def hello(name, extra=""):
    """Two tasks: an echo that publishes a greeting, then a no-op. Output ``msg``."""
    return f"""---
version: '2.0'

{name}:
  description: Greets someone
  tags: [demo, greeting]
  input:
    - who
    - greeting: Hello
  output:
    msg: <% $.msg %>
  tasks:
    greet:
      action: std.echo output="<% $.greeting %>, <% $.who %>"
      publish:
        msg: <% task().result %>
      on-success: finish
    finish:
      action: std.noop
{extra}"""


def failing(name):
    """A no-op, then a task that always fails."""
    return f"""---
version: '2.0'

{name}:
  tasks:
    prepare:
      action: std.noop
      on-success: explode
    explode:
      action: std.fail error_data="it broke"
"""


def needs_env(name):
    """Fails unless the execution's environment defines ``word``."""
    return f"""---
version: '2.0'

{name}:
  tasks:
    say:
      action: std.echo output=<% env().word %>
      publish:
        said: <% task().result %>
"""


def waits(name):
    """Stays RUNNING until its asynchronous action is completed from outside."""
    return f"""---
version: '2.0'

{name}:
  tasks:
    hold:
      action: std.async_noop
"""


def parent_and_child(parent, child):
    """``parent`` runs ``child`` as a sub-workflow, which echoes its input."""
    return f"""---
version: '2.0'

{child}:
  input:
    - value
  output:
    echoed: <% $.echoed %>
  tasks:
    echo:
      action: std.echo output=<% $.value %>
      publish:
        echoed: <% task().result %>

{parent}:
  tasks:
    call_child:
      workflow: {child} value=42
      publish:
        from_child: <% task().result.echoed %>
"""


def invalid(name):
    """A workflow whose only task goes to a task that does not exist (line 7)."""
    return f"""---
version: '2.0'
{name}:
  tasks:
    first:
      action: std.noop
      on-success: nowhere
"""


def adhoc_action(name):
    """An ad-hoc action built on std.echo."""
    return f"""---
version: '2.0'

{name}:
  description: Says hello to someone
  tags: [greeting]
  input:
    - who
    - punctuation: "!"
  base: std.echo
  base-input:
    output: Hello, <% $.who %><% $.punctuation %>
"""


def workbook(name, workflow="wb_flow", action="wb_action"):
    """A workbook with one workflow using one ad-hoc action of the same workbook."""
    return f"""---
version: '2.0'
name: {name}
tags: [book]

actions:
  {action}:
    input:
      - text
    base: std.echo
    base-input:
      output: <% $.text %>

workflows:
  {workflow}:
    tasks:
      run:
        action: {action} text="fromwb"
        publish:
          said: <% task().result %>
"""


# Upstream Mistral's table columns (python-mistralclient's formatters), per resource.
WORKFLOW_COLUMNS = ["ID", "Name", "Namespace", "Project ID", "Tags", "Input", "Scope",
                    "Created at", "Updated at"]
EXECUTION_COLUMNS = ["ID", "Workflow ID", "Workflow name", "Workflow namespace",
                     "Description", "Task Execution ID", "Root Execution ID", "State",
                     "State info", "Created at", "Updated at", "Duration"]
TASK_COLUMNS = ["ID", "Name", "Workflow name", "Workflow namespace",
                "Workflow Execution ID", "State", "State info", "Created at", "Started at",
                "Finished at", "Duration"]
ACTION_EXECUTION_COLUMNS = ["ID", "Name", "Workflow name", "Workflow namespace",
                            "Task name", "Task ID", "State", "State info", "Accepted",
                            "Created at", "Updated at"]
ACTION_EXECUTION_LIST_COLUMNS = [c for c in ACTION_EXECUTION_COLUMNS if c != "State info"]
ACTION_COLUMNS = ["ID", "Name", "Is system", "Input", "Description", "Tags", "Created at",
                  "Updated at"]
WORKBOOK_COLUMNS = ["Name", "Namespace", "Tags", "Scope", "Created at", "Updated at"]
CRON_TRIGGER_COLUMNS = ["Name", "Workflow", "Params", "Pattern", "Next execution time",
                        "Remaining executions", "Created at", "Updated at"]
ENVIRONMENT_COLUMNS = ["Name", "Description", "Variables", "Scope", "Created at",
                       "Updated at"]
ENVIRONMENT_LIST_COLUMNS = [c for c in ENVIRONMENT_COLUMNS if c != "Variables"]
MEMBER_COLUMNS = ["Resource ID", "Resource Type", "Resource Owner", "Member ID", "Status",
                  "Created at", "Updated at"]
SERVICE_COLUMNS = ["Name", "Type"]
