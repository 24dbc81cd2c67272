package model

import "errors"

// STUB until the model branch lands (the lead deletes this file).
func Current(dir string) (*Artefact, bool, error) {
	return nil, false, errors.New("model: registry not implemented yet")
}
