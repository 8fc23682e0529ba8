// Validates CRD files with the API server's own CRD validation (structural schema, defaults against
// their schema, CEL rules compile), offline: what kube-apiserver would reject on create. Then
// checks example objects against those CRDs the way the API server handles a create (defaulting,
// OpenAPI validation, CEL rules): cases/valid-*.yaml must pass, cases/invalid-*.yaml must fail.
// Usage: go run . CASES_DIR CRD.yaml...
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	v1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"sigs.k8s.io/yaml"
)

type kindSchema struct {
	props      *apiextensions.JSONSchemaProps
	structural *structuralschema.Structural
}

func loadCRD(path string) (*apiextensions.CustomResourceDefinition, []string) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, []string{err.Error()}
	}
	crd := &v1.CustomResourceDefinition{}
	if err := yaml.UnmarshalStrict(data, crd); err != nil {
		return nil, []string{"strict unmarshal: " + err.Error()}
	}
	v1.SetObjectDefaults_CustomResourceDefinition(crd)
	internal := &apiextensions.CustomResourceDefinition{}
	if err := v1.Convert_v1_CustomResourceDefinition_To_apiextensions_CustomResourceDefinition(crd, internal, nil); err != nil {
		return nil, []string{err.Error()}
	}
	internal.Status.StoredVersions = []string{internal.Spec.Versions[0].Name}
	var problems []string
	for _, e := range validation.ValidateCustomResourceDefinition(context.Background(), internal) {
		problems = append(problems, e.Error())
	}
	return internal, problems
}

// createErrors is what a create of `obj` would be refused for.
func createErrors(ks kindSchema, obj map[string]interface{}) []string {
	defaulting.Default(obj, ks.structural)
	validator, _, err := apiservervalidation.NewSchemaValidator(ks.props)
	if err != nil {
		return []string{err.Error()}
	}
	var out []string
	for _, e := range apiservervalidation.ValidateCustomResource(nil, obj, validator) {
		out = append(out, e.Error())
	}
	celValidator := cel.NewValidator(ks.structural, true, celconfig.PerCallLimit)
	errs, _ := celValidator.Validate(context.Background(), field.NewPath(""), ks.structural, obj, nil, celconfig.RuntimeCELCostBudget)
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return out
}

func main() {
	bad := false
	kinds := map[string]kindSchema{}
	for _, path := range os.Args[2:] {
		crd, problems := loadCRD(path)
		for _, p := range problems {
			fmt.Println(path, p)
			bad = true
		}
		if crd == nil || len(problems) > 0 {
			continue
		}
		// The internal form keeps a schema shared by every version at spec.validation.
		var props *apiextensions.JSONSchemaProps
		if v := crd.Spec.Versions[0].Schema; v != nil {
			props = v.OpenAPIV3Schema
		} else {
			props = crd.Spec.Validation.OpenAPIV3Schema
		}
		s, err := structuralschema.NewStructural(props)
		if err != nil {
			fmt.Println(path, err)
			bad = true
			continue
		}
		kinds[crd.Spec.Names.Kind] = kindSchema{props, s}
		fmt.Println(path, "OK")
	}
	cases, _ := filepath.Glob(filepath.Join(os.Args[1], "*.yaml"))
	sort.Strings(cases)
	for _, c := range cases {
		data, err := os.ReadFile(c)
		if err != nil {
			panic(err)
		}
		obj := map[string]interface{}{}
		if err := yaml.Unmarshal(data, &obj); err != nil {
			fmt.Println(c, err)
			bad = true
			continue
		}
		ks, ok := kinds[fmt.Sprint(obj["kind"])]
		if !ok {
			fmt.Println(c, "no CRD for kind", obj["kind"])
			bad = true
			continue
		}
		errs := createErrors(ks, obj)
		wantValid := strings.HasPrefix(filepath.Base(c), "valid-")
		switch {
		case wantValid && len(errs) > 0:
			fmt.Println(c, "rejected:", strings.Join(errs, "; "))
			bad = true
		case !wantValid && len(errs) == 0:
			fmt.Println(c, "accepted but should be rejected")
			bad = true
		default:
			fmt.Println(c, "OK", strings.Join(errs, "; "))
		}
	}
	if bad {
		os.Exit(1)
	}
}
