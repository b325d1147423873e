.PHONY: demo test train-local

demo:  ## the main job: deploy to LocalStack and run the whole lifecycle
	scripts/demo.sh

test:  ## every test suite: unit, integration (moto), infra, end to end (LocalStack)
	scripts/test.sh

train-local:  ## train on the real data and score a customer, without any AWS
	scripts/train_local.sh
