from satudata.extract import read_file

def test_x():
    assert read_file
