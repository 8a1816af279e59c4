"""The step engine without Qt: typed state and actions, navigation, Back restores the state, work
that stays on a step, stops and holds."""
from dataclasses import dataclass, field

import pytest

from counterdesk.base.text import Result, Text
from counterdesk.flow.engine import Flow, Outcome, Step, Stop

T = Text("t", "t")


@dataclass
class State:
    name: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Name:
    value: str


@dataclass(frozen=True)
class Note:
    text: str


@dataclass(frozen=True)
class Decide:
    refuse: bool = False
    wait: bool = False


def first(state: State, action: object) -> Outcome:
    if isinstance(action, Note):  # recorded on the step, which stays
        state.notes.append(action.text)
        return Outcome(stay=True, value=len(state.notes))
    res = Result()
    if not isinstance(action, Name) or not action.value:
        res.add("name", "required", Text("必填", "required"))
        return Outcome(res)
    state.name = action.value
    return Outcome(res, "b")


def second(state: State, action: object) -> Outcome:
    if isinstance(action, Decide) and action.refuse:
        return Outcome(stop=Stop("refused", Text("拒绝", "refused")))
    if isinstance(action, Decide) and action.wait:
        state.notes.append("waiting")
        return Outcome(hold=Text("等待", "waiting"))
    return Outcome(next_step="done")


def make() -> Flow[State]:
    return Flow([Step("a", T, first), Step("b", T, second),
                 Step("done", T, lambda state, action: Outcome(), final=True)], "a", State())


def test_invalid_input_keeps_the_step_and_the_state():
    flow = make()
    out = flow.submit(Name(""))
    assert not out.result.ok and not out.moved and flow.current_id == "a" and flow.state == State()


def test_work_that_stays_on_the_step_is_kept_and_gives_its_value():
    flow = make()
    assert flow.submit(Note("x")).value == 1 and flow.submit(Note("y")).value == 2
    assert flow.current_id == "a" and flow.state.notes == ["x", "y"] and not flow.can_go_back


def test_back_restores_the_state_as_it_was():
    flow = make()
    flow.submit(Note("before"))
    out = flow.submit(Name("x"))
    assert out.moved and flow.current_id == "b" and flow.can_go_back and flow.state.name == "x"
    flow.submit(Decide(wait=True))
    assert flow.held is not None and flow.current_id == "b" and flow.state.notes == ["before", "waiting"]
    flow.back()
    assert flow.current_id == "a" and flow.state == State(notes=["before"]) and flow.held is None


def test_a_step_works_on_a_copy_of_the_state():
    flow = make()
    flow.submit(Name("x"))
    seen = flow.state
    flow.submit(Decide(wait=True))
    assert seen.notes == [] and flow.state is not seen


def test_stop_ends_the_flow():
    flow = make()
    flow.submit(Name("x"))
    out = flow.submit(Decide(refuse=True))
    assert out.stop.code == "refused" and flow.stopped and not flow.can_go_back
    with pytest.raises(RuntimeError):
        flow.submit(None)


def test_reaches_the_final_step_and_records_the_path():
    flow = make()
    flow.submit(Name("x"))
    flow.submit(None)
    assert flow.finished and flow.path() == ["a", "b", "done"]


def test_a_step_naming_an_unknown_step_is_a_programming_error():
    flow = Flow([Step("a", T, lambda state, action: Outcome(next_step="nowhere"))], "a", State())
    with pytest.raises(ValueError):
        flow.submit(None)


def test_a_locking_step_forbids_going_back():
    flow = Flow([Step("a", T, first), Step("b", T, lambda state, action: Outcome(next_step="b"), locks_back=True)],
                "a", State())
    flow.submit(Name("x"))
    assert flow.current_id == "b" and not flow.can_go_back
    with pytest.raises(RuntimeError):
        flow.back()


def test_stopping_from_outside_a_step():
    flow = make()
    flow.stop(Stop("cancelled", T))
    flow.stop(Stop("again", T))  # the first reason stands
    assert flow.stopped.code == "cancelled"
