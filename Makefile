.PHONY: demo test

demo:  ## train on the real data and score a customer
	scripts/demo.sh

test:  ## run every test suite
	scripts/test.sh
