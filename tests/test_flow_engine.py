"""The step engine without Qt: navigation, Back restores data, stops and holds."""
import pytest

from counterdesk.flow.engine import Flow, Outcome, Step, Stop
from counterdesk.base.text import Result, Text

T = Text("t", "t")


def needs(key, nxt):
    def advance(data):
        res = Result()
        if not data.get(key):
            res.add(key, "required", Text("必填", "required"))
        return Outcome(res, nxt)
    return advance


def make():
    def second(data):
        if data.get("refuse"):
            return Outcome(stop=Stop("refused", Text("拒绝", "refused")))
        if data.get("wait"):
            return Outcome(hold=Text("等待", "waiting"))
        return Outcome(next_step="done")
    return Flow([Step("a", T, needs("name", "b")), Step("b", T, second),
                 Step("done", T, lambda d: Outcome(), final=True)], "a")


def test_invalid_input_keeps_the_step_and_data():
    flow = make()
    out = flow.submit({"name": ""})
    assert not out.result.ok and flow.current_id == "a" and "name" not in flow.data


def test_back_restores_the_data_as_it_was():
    flow = make()
    flow.submit({"name": "x"})
    assert flow.current_id == "b" and flow.can_go_back
    flow.submit({"extra": 1, "wait": True})
    assert flow.held is not None and flow.current_id == "b"
    flow.back()
    assert flow.current_id == "a" and flow.data == {} and flow.held is None


def test_stop_ends_the_flow():
    flow = make()
    flow.submit({"name": "x"})
    out = flow.submit({"refuse": True})
    assert out.stop.code == "refused" and flow.stopped and not flow.can_go_back
    with pytest.raises(RuntimeError):
        flow.submit({})


def test_reaches_the_final_step_and_records_the_path():
    flow = make()
    flow.submit({"name": "x"})
    flow.submit({})
    assert flow.finished and flow.path() == ["a", "b", "done"]


def test_a_step_naming_an_unknown_step_is_a_programming_error():
    flow = Flow([Step("a", T, lambda d: Outcome(next_step="nowhere"))], "a")
    with pytest.raises(ValueError):
        flow.submit({})


def test_a_locking_step_forbids_going_back():
    flow = Flow([Step("a", T, needs("name", "b")), Step("b", T, lambda d: Outcome(next_step="b"), locks_back=True)],
                "a")
    flow.submit({"name": "x"})
    assert flow.current_id == "b" and not flow.can_go_back
    with pytest.raises(RuntimeError):
        flow.back()
